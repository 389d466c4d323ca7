import { AppError, isAppError, quotaRefusal, remainingSpendUsd, startOfUtcDay, type Quota, type QuotaRefusal, type QuotaRequest } from '@/lib/core';
import type { BatchStore } from '@/lib/store';
import type { Principal } from './accounts';

/** Over a quota: 429 (it will fit later: `resetsAt` says when, for the daily limits) or 403 (it never will). */
export class QuotaError extends AppError {
  readonly status: 403 | 429;
  readonly limit: keyof Quota;
  readonly resetsAt?: string;
  constructor(refusal: QuotaRefusal) {
    super('QuotaError', refusal.message);
    this.status = refusal.status;
    this.limit = refusal.limit;
    if (refusal.resetsAt !== undefined) this.resetsAt = refusal.resetsAt;
  }
}

export function isQuotaError(error: unknown): error is QuotaError {
  return isAppError(error, 'QuotaError');
}

export interface QuotaAllowance {
  /** What is left of the tightest daily spend cap (user's or token's), USD: the batch's own cost cap. */
  spendLeftUsd?: number;
}

/**
 * Checks a new batch against the principal's quotas (the user's, then the token's, each counted
 * over its own batches) and throws a `QuotaError` for the first limit it breaks. The local person
 * of a server without accounts, and admins without a quota, have no limits.
 */
export async function enforceQuota(batches: BatchStore, principal: Principal, request: QuotaRequest, now = new Date()): Promise<QuotaAllowance> {
  if (principal.kind === 'local') return {};
  const since = startOfUtcDay(now);
  const scopes: { quota: Quota; scope: { ownerId?: string; tokenId?: string }; holder: string }[] = [
    { quota: principal.user.quota, scope: { ownerId: principal.user.id }, holder: 'your account' },
  ];
  if (principal.token) scopes.push({ quota: principal.token.quota, scope: { tokenId: principal.token.id }, holder: 'this API token' });

  let spendLeftUsd: number | undefined;
  for (const { quota, scope, holder } of scopes) {
    if (Object.keys(quota).length === 0) continue;
    const activity = await batches.activity(scope, since);
    const refusal = quotaRefusal(quota, request, activity, now, holder);
    if (refusal) throw new QuotaError(refusal);
    const left = remainingSpendUsd(quota, activity);
    if (left !== undefined) spendLeftUsd = Math.min(spendLeftUsd ?? Infinity, left);
  }
  return spendLeftUsd === undefined ? {} : { spendLeftUsd };
}

const ownerLocks = new Map<string, Promise<unknown>>();

/**
 * Runs `work` (check the quota, then create the batch) for one owner at a time in this process:
 * two requests at once cannot both fit the last slot of a quota.
 */
export function oneAtATimeFor<Result>(ownerKey: string, work: () => Promise<Result>): Promise<Result> {
  const previous = ownerLocks.get(ownerKey) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.catch(() => undefined);
  ownerLocks.set(ownerKey, settled);
  void settled.then(() => {
    if (ownerLocks.get(ownerKey) === settled) ownerLocks.delete(ownerKey);
  });
  return run;
}
