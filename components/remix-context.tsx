'use client';

import { createContext, useContext } from 'react';

/** What the gallery offers to start from an earlier batch or image. */
export interface RemixActions {
  /** "Use these settings": the batch's prompts, model, options and input images fill the composer. */
  applyBatchSettings: (batchId: string) => void;
  /** "More like this": image `index` of the batch is made again, as a new one-image batch. */
  moreLikeThis: (batchId: string, index: number) => void;
}

export const RemixContext = createContext<RemixActions | null>(null);

/** The actions, or null outside the generator page (the buttons then stay hidden). */
export function useRemix(): RemixActions | null {
  return useContext(RemixContext);
}
