import type { BatchRun, Slot } from './batch-state';

/** Placeholders for queued images while a batch runs: the next few, not one grey box per image. */
export const queuedPlaceholderLimit = 4;

/** An ended batch with more canceled images than this shows one tile for them all. */
export const canceledTileLimit = 4;

export interface VisibleSlots {
  /** In index order: every image that has started or ended, then the next queued ones. */
  slots: Slot[];
  /** Queued images without a placeholder (the strip counts them). */
  hiddenQueued: number;
  /** Canceled images drawn as one "N canceled" tile instead of one tile each (0: none). */
  canceledTogether: number;
}

/**
 * Which tiles a batch draws. A running batch of 50 shows what is made, what is being made and up to
 * `queuedPlaceholderLimit` queued placeholders; an ended batch shows every slot, except that more
 * than `canceledTileLimit` canceled ones become one summary tile (a batch of 100 canceled after 5
 * shows 5 images and "95 canceled", not 95 dashed boxes).
 */
export function visibleSlots(run: BatchRun, limit: number = queuedPlaceholderLimit): VisibleSlots {
  if (run.status !== 'running') {
    const canceled = run.slots.filter((slot) => slot.status === 'canceled').length;
    if (canceled <= canceledTileLimit) return { slots: run.slots, hiddenQueued: 0, canceledTogether: 0 };
    return { slots: run.slots.filter((slot) => slot.status !== 'canceled'), hiddenQueued: 0, canceledTogether: canceled };
  }
  let queuedShown = 0;
  const slots = run.slots.filter((slot) => {
    if (slot.status !== 'queued') return true;
    queuedShown += 1;
    return queuedShown <= limit;
  });
  return { slots, hiddenQueued: run.slots.length - slots.length, canceledTogether: 0 };
}

export interface StripCounts {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
  queued: number;
}

export function stripCounts(run: BatchRun): StripCounts {
  const count = (status: Slot['status']) => run.slots.filter((slot) => slot.status === status).length;
  return { total: run.slots.length, succeeded: count('succeeded'), failed: count('failed'), running: count('running'), queued: count('queued') };
}

/** "12 of 50 done · 1 failed · 2 running · 35 more queued": the strip of a running batch. */
export function describeStrip(counts: StripCounts, hiddenQueued: number): string {
  const parts = [`${counts.succeeded + counts.failed} of ${counts.total} done`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.running > 0) parts.push(`${counts.running} running`);
  if (hiddenQueued > 0) parts.push(`${hiddenQueued} more queued`);
  return parts.join(' · ');
}
