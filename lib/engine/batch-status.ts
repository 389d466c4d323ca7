import type { BatchStatus, ItemOutcome } from '@/lib/core';

/**
 * How a batch ended, from its items' outcomes: any canceled item means the batch was canceled
 * (items are only canceled by an abort); otherwise all succeeded → `completed`, all failed →
 * `failed`, a mix → `partial`.
 */
export function toBatchStatus(outcomes: readonly Pick<ItemOutcome, 'status'>[]): BatchStatus {
  if (outcomes.some((outcome) => outcome.status === 'canceled')) return 'canceled';
  const succeeded = outcomes.filter((outcome) => outcome.status === 'succeeded').length;
  if (succeeded === outcomes.length) return 'completed';
  if (succeeded === 0) return 'failed';
  return 'partial';
}
