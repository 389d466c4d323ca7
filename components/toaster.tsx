'use client';

import type { CSSProperties } from 'react';
import { Toaster as SonnerToaster } from 'sonner';

/** Notifications bottom right; rich colours: green success, orange partial, red failure. */
export function Toaster() {
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
