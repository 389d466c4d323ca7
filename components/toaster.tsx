'use client';

import type { CSSProperties } from 'react';
import { Toaster as SonnerToaster } from 'sonner';
import { useMediaQuery } from '@/hooks/use-media-query';

/**
 * Notifications bottom right; rich colours: green success, orange partial, red failure. Compact and
 * few, so they never bury the gallery: two at most on a desktop, stacked (not expanded); one on a
 * phone, where they span the bottom edge. Older ones wait behind the front one.
 */
export function Toaster() {
  const isPhone = useMediaQuery('(max-width: 600px)');
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
