import { sleep, type GenerateImageOptions, type ImageProvider, type ItemOutcome } from '@/lib/core';
import type { EngineEventBody } from './batch-progress';
import type { CostBudget } from './cost-budget';
import type { Lane } from './lane';
import type { RetryPolicy } from './retry';
import { runAttempt } from './run-attempt';

export { exhaustedQuotaRecheckMs } from './run-attempt';

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
 * Makes one image in memory: attempts (see `runAttempt`) until one succeeds or the policy stops,
 * sleeping between them without holding a slot. Resolves with the outcome; provider errors and
 * aborts are outcomes, never rejections. The durable worker does the same with the queue instead
 * of the sleep.
 */
export async function runItem({ request, provider, lane, policy, signal, random, emit, budget }: RunItemOptions): Promise<ItemOutcome> {
  const { index } = request;
  let attempts = 0;

  for (;;) {
    const result = await runAttempt({
      request,
      provider,
      lane,
      policy,
      previousAttempts: attempts,
      signal,
      random,
      ...(budget ? { budget } : {}),
      onStart: (attempt) => emit({ type: 'item-start', index, attempt }),
    });
    if (result.attempted) attempts += 1;
    switch (result.status) {
      case 'succeeded':
        return { status: 'succeeded', image: result.image, attempts };
      case 'failed':
        return { status: 'failed', error: result.error, attempts };
      case 'canceled':
        return { status: 'canceled', attempts };
      case 'retry':
        emit({ type: 'item-retry', index, attempt: attempts, delayMs: result.delayMs, error: result.error });
        try {
          await sleep(result.delayMs, signal);
        } catch {
          return { status: 'canceled', attempts };
        }
    }
  }
}
