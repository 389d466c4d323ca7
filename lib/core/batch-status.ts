import type { BatchStatus, ItemOutcome } from './events';

/** A batch's life: `queued` until an item starts, `running` until every item has ended, then how it ended. */
export const storedBatchStatuses = ['queued', 'running', 'completed', 'partial', 'failed', 'canceled'] as const;
export type StoredBatchStatus = (typeof storedBatchStatuses)[number];

/*
 * The one status derivation and the one ETA estimate of the project: the store derives a batch's
 * status from its items with these, the worker estimates with these, and so does the in-memory
 * `runBatch` of the engine (benchmarks).
 */

export interface ItemStatusCounts {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  canceled: number;
}

/**
 * A batch's status from its items, so it can never disagree with them:
 * nothing started yet → `queued`; anything running, or queued after others ended → `running`;
 * all ended → as the engine names it (any canceled → `canceled`, all succeeded → `completed`,
 * none succeeded → `failed`, otherwise `partial`).
 */
export function deriveBatchStatus(counts: ItemStatusCounts): StoredBatchStatus {
  const ended = counts.succeeded + counts.failed + counts.canceled;
  if (counts.running > 0) return 'running';
  if (counts.queued > 0) return ended > 0 ? 'running' : 'queued';
  if (counts.canceled > 0) return 'canceled';
  if (counts.succeeded === counts.total) return 'completed';
  if (counts.succeeded === 0) return 'failed';
  return 'partial';
}

/** True once every item of the batch has ended (the status is then how it ended). */
export function isFinishedBatchStatus(status: StoredBatchStatus): status is BatchStatus {
  return status !== 'queued' && status !== 'running';
}

/** How a batch of these outcomes ended (every item has ended). */
export function batchStatusOf(outcomes: readonly Pick<ItemOutcome, 'status'>[]): BatchStatus {
  const count = (status: ItemOutcome['status']) => outcomes.filter((outcome) => outcome.status === status).length;
  return deriveBatchStatus({
    total: outcomes.length,
    queued: 0,
    running: 0,
    succeeded: count('succeeded'),
    failed: count('failed'),
    canceled: count('canceled'),
  }) as BatchStatus;
}

/**
 * Time left for a batch: the average time per item ended since `startedAtMs`, times the items
 * left. Null until one item has ended (nothing to go on), 0 when none is left.
 */
export function estimateRemainingMs(startedAtMs: number, ended: number, remaining: number, nowMs = Date.now()): number | null {
  if (ended === 0) return null;
  return Math.round(((nowMs - startedAtMs) / ended) * Math.max(0, remaining));
}
