'use client';

import { useEffect, useState, type CSSProperties } from 'react';
import { importSonner, markToasterReady, type Sonner } from '@/components/lib/toast-loader';
import { useMediaQuery } from '@/hooks/use-media-query';

/**
 * Notifications bottom right; rich colours: green success, orange partial, red failure. Compact and
 * few, so they never bury the gallery: two at most on a desktop, stacked (not expanded); one on a
 * phone, where they span the bottom edge. Older ones wait behind the front one. sonner loads after
 * the first paint (see toast-loader.ts); notifications asked for before wait for it.
 */
export function Toaster() {
  const isPhone = useMediaQuery('(max-width: 600px)');
  const [sonner, setSonner] = useState<Sonner | null>(null);
  useEffect(() => {
    let isMounted = true;
    void importSonner().then((loaded) => isMounted && setSonner(loaded));
    return () => {
      isMounted = false;
    };
  }, []);
  useEffect(() => {
    if (sonner) markToasterReady(sonner);
  }, [sonner]);
  if (!sonner) return null;
  const { Toaster: SonnerToaster } = sonner;
  return (
    <SonnerToaster
      position="bottom-right"
      theme="system"
      richColors
      closeButton
      expand={false}
      visibleToasts={isPhone ? 1 : 2}
      gap={8}
      offset={16}
      mobileOffset={8}
      toastOptions={{ className: 'toast-compact' }}
      style={{ '--width': '21rem' } as CSSProperties}
    />
  );
}
