import type { ImageProgress, ItemProgressEvent } from '@/lib/core';

export interface ItemProgressReporterOptions {
  batchId: string;
  index: number;
  publish: (progress: ItemProgressEvent) => void;
  /** At most one report per this many milliseconds, except the last step. @default 250 */
  minIntervalMs?: number;
  now?: () => number;
}

/**
 * Turns a provider's step reports into live `item-progress` events, at a pace a page can use: a
 * repeat of the step last sent is dropped, and steps closer than `minIntervalMs` to the last one
 * sent wait for a later one (the final step always goes out). Nonsense from a provider (a step
 * past the total, a negative or fractional count) is dropped rather than shown.
 */
export function createItemProgressReporter({ batchId, index, publish, minIntervalMs = 250, now = Date.now }: ItemProgressReporterOptions): (progress: ImageProgress) => void {
  let lastStep: number | undefined;
  let lastTotal: number | undefined;
  let lastSentAtMs = Number.NEGATIVE_INFINITY;
  return ({ step, totalSteps }) => {
    if (!Number.isInteger(step) || !Number.isInteger(totalSteps) || totalSteps < 1 || step < 0 || step > totalSteps) return;
    if (step === lastStep && totalSteps === lastTotal) return;
    const at = now();
    const isLast = step === totalSteps;
    if (!isLast && totalSteps === lastTotal && at - lastSentAtMs < minIntervalMs) return;
    lastStep = step;
    lastTotal = totalSteps;
    lastSentAtMs = at;
    publish({ type: 'item-progress', batchId, index, step, totalSteps });
  };
}
