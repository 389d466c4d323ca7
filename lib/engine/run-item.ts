import { isProviderError, toItemError, type GenerateImageOptions, type ImageProvider, type ItemOutcome } from '@/lib/core';
import type { EngineEventBody } from './batch-progress';
import type { CostBudget } from './cost-budget';
import type { Lane, ReleaseSlot } from './lane';
import { decideRetry, type RetryPolicy } from './retry';
import { sleep } from '@/lib/core';

export interface RunItemOptions {
  request: GenerateImageOptions;
  provider: ImageProvider;
  lane: Lane;
  policy: RetryPolicy;
  signal?: AbortSignal;
  random?: () => number;
  /** Receives `item-start` and `item-retry`; the caller emits `item-end` from the returned outcome. */
  emit: (body: EngineEventBody) => void;
  /** The batch's spending cap: an item that would pass it fails without a call. @default no cap */
  budget?: CostBudget;
}

/**
 * Makes one image: waits for a lane slot, calls the provider, retries what the policy allows.
 * Resolves with the outcome; provider errors and aborts are outcomes, never rejections.
 */
export async function runItem(options: RunItemOptions): Promise<ItemOutcome> {
  let isReserved = false;
  const outcome = await runItemCalls(options, () => (isReserved = true));
  if (isReserved) options.budget?.settle(outcome.status === 'succeeded' ? outcome.image : undefined);
  return outcome;
}

async function runItemCalls(
  { request, provider, lane, policy, signal, random, emit, budget }: RunItemOptions,
  onReserved: () => void,
): Promise<ItemOutcome> {
  const { index } = request;
  let attempts = 0;
  const canceled = (): ItemOutcome => ({ status: 'canceled', attempts });

  for (;;) {
    const release = await acquireUnlessAborted(lane, signal);
    // Also covers an abort that landed between the slot being granted and this line running.
    if (!release || signal?.aborted) {
      release?.();
      return canceled();
    }

    // A provider that said its quota is gone gets no more calls until it comes back: the item
    // fails at once with the same reason, so a 100-image batch does not make 100 doomed calls.
    const closedBy = lane.closedBy;
    if (closedBy) {
      release();
      return { status: 'failed', error: toItemError(closedBy), attempts };
    }

    // Reserved once the slot is ours, so the cap counts the images in flight, not those still queued.
    if (budget && attempts === 0) {
      if (!budget.tryReserve()) {
        release();
        return { status: 'failed', error: budget.refusal(), attempts };
      }
      onReserved();
    }

    attempts += 1;
    emit({ type: 'item-start', index, attempt: attempts });
    let error: unknown;
    try {
      const image = await provider.generate(request, signal);
      release({ status: 'succeeded', ...(image.rateLimit ? { rateLimit: image.rateLimit } : {}) });
      // Kept even if the batch was aborted meanwhile: the image exists, never lose it.
      return { status: 'succeeded', image, attempts };
    } catch (caught) {
      error = caught;
    }

    // An in-flight call that the abort interrupted rethrows it (or fails some other way): canceled.
    if (signal?.aborted) {
      release();
      return canceled();
    }
    // Pause before giving the slot back, or the release would start the next waiter inside the window.
    if (isProviderError(error) && error.kind === 'rate_limited' && error.retryAfterMs !== undefined) {
      lane.pauseFor(Math.min(error.retryAfterMs, policy.maxDelayMs));
    }
    if (isProviderError(error) && error.kind === 'quota_exhausted') {
      lane.closeFor(error, quotaClosureMs(error));
    }
    // The outcome lets an adaptive lane slow down on 429 and overload.
    release({ status: 'failed', error });

    const decision = decideRetry({ error, attempt: attempts, policy, random });
    if (!decision.shouldRetry) return { status: 'failed', error: toItemError(error), attempts };

    emit({ type: 'item-retry', index, attempt: attempts, delayMs: decision.delayMs, error: toItemError(error) });
    try {
      await sleep(decision.delayMs, signal);
    } catch {
      return canceled();
    }
  }
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
