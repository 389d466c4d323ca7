import type { BatchRun, Slot } from './batch-state';

/**
 * What the live progress line, its bar and a batch's retry button say. Pure, so the wording is
 * tested once and reads the same everywhere.
 */

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
const isUnfinished = (slot: Slot) => slot.status === 'queued' || slot.status === 'running';

export interface ProgressCounts {
  /** Images of this run that have ended (the bar's value). */
  finished: number;
  /** Images this run makes (the bar's maximum): the whole batch, or only those a retry runs again. */
  total: number;
}

/**
 * A first run counts the whole batch (from the server's counters, which never move back); a retry
 * counts only the images it runs again, so retrying 2 of 8 reads "1/2", not "8/8".
 */
export function progressCounts(run: BatchRun): ProgressCounts {
  if (!run.retry) return { finished: run.finished, total: run.slots.length };
  const retried = new Set(run.retry.indexes);
  const slots = run.slots.filter((slot) => retried.has(slot.index));
  return { finished: slots.filter((slot) => !isUnfinished(slot)).length, total: slots.length };
}

/** "Generating X/Y..." (or "Retrying 2 images: X/2..."): X is the image being worked on (finished + 1), never above Y. */
export function progressLabel(run: BatchRun): string {
  const { finished, total } = progressCounts(run);
  const working = `${Math.min(finished + 1, total)}/${total}...`;
  return run.retry ? `Retrying ${plural(total, 'image')}: ${working}` : `Generating ${working}`;
}

/** The short line shown for 2 s after the batch, in place of "Generating X/Y...". */
export function endLabel(run: BatchRun): string {
  const total = run.slots.length;
  const succeeded = run.slots.filter((slot) => slot.status === 'succeeded').length;
  if (run.status === 'canceled') return `Canceled: ${succeeded}/${total} generated`;
  if (run.status === 'completed') return `Done: ${succeeded}/${total} generated`;
  if (isAllFailed(run)) return total === 1 ? 'The image failed' : `All ${total} images failed`;
  return `Done: ${succeeded}/${total} generated, ${total - succeeded} failed`;
}

/** Nothing was made: the batch must look failed, not finished. */
export function isAllFailed(run: BatchRun): boolean {
  return run.status === 'failed' || (run.status !== 'running' && run.status !== 'canceled' && run.slots.every((slot) => slot.status === 'failed'));
}

/** The colour of the bar: the accent while it runs or once done, muted when canceled, the error colour when all failed. */
export function progressTone(run: BatchRun): 'normal' | 'canceled' | 'failed' {
  if (run.status === 'canceled') return 'canceled';
  return isAllFailed(run) ? 'failed' : 'normal';
}

/** The retry button says what it runs again: failed images, canceled ones (never run), or both, counted apart. */
export function retryButtonLabel(run: BatchRun): string | undefined {
  const failed = run.slots.filter((slot) => slot.status === 'failed').length;
  const canceled = run.slots.filter((slot) => slot.status === 'canceled').length;
  if (failed === 0 && canceled === 0) return undefined;
  if (canceled === 0) return `Retry failed (${failed})`;
  if (failed === 0) return `Run the rest (${canceled})`;
  return `Retry ${failed} failed, run ${canceled} canceled`;
}
