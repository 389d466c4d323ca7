import type { StoredBatchStatus } from './batch-records';

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
