'use client';

import { useCallback, useEffect, useState } from 'react';

export type GalleryDensity = 'compact' | 'large';

const storageKey = 'gallery-density';

/**
 * The gallery's tile size, remembered in localStorage. Read after hydration (the server cannot know
 * it, and a mismatch would be a hydration error): a person who chose "large" sees compact tiles for
 * one frame.
 */
export function useGalleryDensity(): [GalleryDensity, (density: GalleryDensity) => void] {
  const [density, setDensity] = useState<GalleryDensity>('compact');
  useEffect(() => {
    try {
      if (window.localStorage.getItem(storageKey) === 'large') setDensity('large');
    } catch {
      // Storage blocked (a privacy setting): the default stays.
    }
  }, []);
  const choose = useCallback((next: GalleryDensity) => {
    setDensity(next);
    try {
      window.localStorage.setItem(storageKey, next);
    } catch {
      // Not remembered, still applied.
    }
  }, []);
  return [density, choose];
}
