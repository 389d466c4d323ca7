'use client';

import { useEffect, useRef, type RefObject } from 'react';

/**
 * Calls `load` when the returned element comes within `marginPx` of the viewport, again each time
 * it comes back (after the new page has pushed it down): the history pages in as it scrolls.
 */
export function useLoadOnScroll(isEnabled: boolean, load: () => void, marginPx = 1200): RefObject<HTMLDivElement | null> {
  const sentinelRef = useRef<HTMLDivElement>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!isEnabled || !sentinel || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadRef.current();
    }, { rootMargin: `${marginPx}px 0px` });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [isEnabled, marginPx]);
  return sentinelRef;
}
