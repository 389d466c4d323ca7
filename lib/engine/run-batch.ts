import { batchStatusOf, type BatchStatus, type EngineEvent, type GenerateImageOptions, type ImageProvider, type ItemOutcome } from '@/lib/core';
import { createBatchProgress } from './batch-progress';
import type { CostBudget } from './cost-budget';
import type { Lane } from './lane';
import { resolveRetryPolicy, type RetryPolicy } from './retry';
import { runItem } from './run-item';

export interface RunBatchOptions {
  /** Stamped on every event. */
  batchId: string;
  provider: ImageProvider;
  /** One request per image; each has its 1-based `index`, unique in the batch. */
  requests: GenerateImageOptions[];
  /** The provider's lane, shared with every other batch on that provider: the pacing lives there. */
  lane: Lane;
  /**
   * Overrides of the retry policy.
   * @default defaultRetryPolicy (3 attempts, 1000 ms base delay, 60000 ms cap)
   */
  retryPolicy?: Partial<RetryPolicy>;
  /**
   * Cancels the batch: nothing more is sent to the provider, waiting and retrying items end
   * `canceled`, the in-flight calls receive the signal. Images already made are kept.
   */
  signal?: AbortSignal;
  /**
   * Progress, in order: `batch-start`, then per item `item-start` / `item-retry` / `item-end`, last
   * `batch-end`. Best effort: a listener that throws is ignored and the batch goes on.
   */
  onEvent?: (event: EngineEvent) => void;
  /**
   * Source of retry jitter in [0, 1); injectable for tests.
   * @default Math.random
   */
  random?: () => number;
  /** The batch's spending cap (`maxCostUsd`). @default no cap */
  budget?: CostBudget;
}

export type BatchItemResult = { index: number } & ItemOutcome;

export interface BatchResult {
  batchId: string;
  status: BatchStatus;
  /** One per request, sorted by index. */
  items: BatchItemResult[];
}

/**
 * Generates every image of a batch through the lane, isolating failures: one image failing never
 * stops the others. Resolves with every item's outcome; never rejects for provider errors or an
 * abort, only for programmer errors (no requests, bad or duplicate indexes, bad retry policy).
 */
export async function runBatch(options: RunBatchOptions): Promise<BatchResult> {
  const { batchId, provider, requests, lane, signal, onEvent, random, budget } = options;
  assertValidRequests(batchId, requests);
  const policy = resolveRetryPolicy(options.retryPolicy);
  const progress = createBatchProgress({ batchId, total: requests.length, onEvent });

  progress.emit({ type: 'batch-start' });
  // Every item is queued on the lane at once: the lane, not this loop, does the pacing.
  const items = await Promise.all(
    requests.map(async (request): Promise<BatchItemResult> => {
      const outcome = await runItem({ request, provider, lane, policy, signal, random, budget, emit: progress.emit });
      progress.endItem(request.index, outcome);
      return { index: request.index, ...outcome };
    }),
  );
  items.sort((left, right) => left.index - right.index);
  const status = batchStatusOf(items);
  progress.emit({ type: 'batch-end', status });
  return { batchId, status, items };
}

function assertValidRequests(batchId: string, requests: readonly GenerateImageOptions[]): void {
  if (typeof batchId !== 'string' || batchId === '') throw new TypeError('runBatch needs a non-empty batchId');
  if (requests.length === 0) throw new RangeError('runBatch needs at least one request');
  const seen = new Set<number>();
  for (const { index } of requests) {
    if (!Number.isInteger(index) || index < 1) throw new RangeError(`Request index must be an integer >= 1, got ${index}`);
    if (seen.has(index)) throw new RangeError(`Duplicate request index ${index}`);
    seen.add(index);
  }
}
