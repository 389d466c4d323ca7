'use client';

import { useEffect, useState, type CSSProperties } from 'react';
import { importSonner, markToasterReady, type Sonner } from '@/components/lib/toast-loader';

/**
 * Notifications bottom right; rich colours: green success, orange partial, red failure. sonner loads
 * after the first paint (see toast-loader.ts); notifications asked for before wait for it.
 */
export function Toaster() {
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
      visibleToasts={4}
      style={{ '--width': '25rem' } as CSSProperties}
    />
  );
}
