import { isProviderError, toItemError, type GeneratedImage, type GenerateImageOptions, type ImageProvider, type ItemError } from '@/lib/core';
import type { CostBudget } from './cost-budget';
import type { Lane, ReleaseSlot } from './lane';
import { decideRetry, type RetryPolicy } from './retry';

export interface RunAttemptOptions {
  request: GenerateImageOptions;
  provider: ImageProvider;
  lane: Lane;
  policy: RetryPolicy;
  /** Attempts already made for this item in this run (0 for its first). */
  previousAttempts: number;
  signal?: AbortSignal;
  random?: () => number;
  /** Told when the call starts (after the slot, the lane's closure and the budget allowed it). */
  onStart?: (attempt: number) => void;
  /** The batch's spending cap: each call reserves an image's estimate, settled when it ends. @default no cap */
  budget?: CostBudget;
}

/** How one attempt ended; `attempted` says whether a provider call was made. */
export type AttemptResult =
  | { status: 'succeeded'; image: GeneratedImage; attempted: true }
  | { status: 'failed'; error: ItemError; attempted: boolean }
  | { status: 'retry'; error: ItemError; delayMs: number; attempted: true }
  | { status: 'canceled'; attempted: boolean };

/**
 * One attempt at one image: waits for a lane slot, calls the provider once, gives the slot back at
 * once, and says what to do next: done, failed for good (`retryStop` says why), or try again after
 * `delayMs`. It never waits for a retry itself, so a waiting retry holds no slot: the durable worker
 * puts the item back in the queue, `runItem` sleeps. Provider errors and aborts are results.
 */
export async function runAttempt(options: RunAttemptOptions): Promise<AttemptResult> {
  const { request, provider, lane, policy, previousAttempts, signal, random, onStart, budget } = options;
  const release = await acquireUnlessAborted(lane, signal);
  // Also covers an abort that landed between the slot being granted and this line running.
  if (!release || signal?.aborted) {
    release?.();
    return { status: 'canceled', attempted: false };
  }

  // A provider that said its quota is gone gets no more calls until it comes back: the item
  // fails at once with the same reason, so a 100-image batch does not make 100 doomed calls.
  const closedBy = lane.closedBy;
  if (closedBy) {
    release();
    return { status: 'failed', error: { ...toItemError(closedBy), retryStop: 'not_retryable' }, attempted: false };
  }

  // Reserved once the slot is ours, so the cap counts the calls in flight, not the items queued;
  // a failed call costs nothing, so its reservation is simply given back.
  if (budget && !budget.tryReserve()) {
    release();
    return { status: 'failed', error: budget.refusal(), attempted: false };
  }

  const attempt = previousAttempts + 1;
  onStart?.(attempt);
  let error: unknown;
  try {
    const image = await provider.generate(request, signal);
    budget?.settle(image);
    release({ status: 'succeeded', ...(image.rateLimit ? { rateLimit: image.rateLimit } : {}) });
    // Kept even if the batch was aborted meanwhile: the image exists, never lose it.
    return { status: 'succeeded', image, attempted: true };
  } catch (caught) {
    error = caught;
    budget?.settle();
  }

  // An in-flight call that the abort interrupted rethrows it (or fails some other way): canceled.
  if (signal?.aborted) {
    release();
    return { status: 'canceled', attempted: true };
  }
  // Pause before giving the slot back, or the release would start the next waiter inside the window.
  if (isProviderError(error) && error.kind === 'rate_limited' && error.retryAfterMs !== undefined) {
    lane.pauseFor(Math.min(error.retryAfterMs, policy.maxDelayMs));
  }
  if (isProviderError(error) && error.kind === 'quota_exhausted') lane.closeFor(error, quotaClosureMs(error));
  // The outcome lets an adaptive lane slow down on 429 and overload.
  release({ status: 'failed', error });

  const decision = decideRetry({ error, attempt, policy, random });
  if (decision.shouldRetry) return { status: 'retry', error: toItemError(error), delayMs: decision.delayMs, attempted: true };
  if (decision.reason === 'aborted') return { status: 'canceled', attempted: true };
  return { status: 'failed', error: { ...toItemError(error), retryStop: decision.reason }, attempted: true };
}

/**
 * How long a lane stays closed after a `quota_exhausted`: until the provider said the quota comes
 * back, else `exhaustedQuotaRecheckMs`, after which one call finds out whether it is back.
 */
export const exhaustedQuotaRecheckMs = 15 * 60_000;

function quotaClosureMs(error: { resetsAtMs?: number }): number {
  return error.resetsAtMs === undefined ? exhaustedQuotaRecheckMs : Math.max(0, error.resetsAtMs - Date.now());
}

/** The slot, or undefined when the signal aborted while waiting. */
async function acquireUnlessAborted(lane: Lane, signal: AbortSignal | undefined): Promise<ReleaseSlot | undefined> {
  try {
    return await lane.acquire(signal);
  } catch (error) {
    if (signal?.aborted) return undefined;
    throw error;
  }
}
