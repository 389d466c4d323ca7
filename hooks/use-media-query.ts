'use client';

import { useEffect, useState } from 'react';

/** Whether a CSS media query matches, kept up to date; false on the server and before hydration. */
export function useMediaQuery(query: string): boolean {
  const [isMatching, setIsMatching] = useState(false);
  useEffect(() => {
    const list = window.matchMedia(query);
    setIsMatching(list.matches);
    const onChange = (event: MediaQueryListEvent) => setIsMatching(event.matches);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, [query]);
  return isMatching;
}
