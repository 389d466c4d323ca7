import FakeTimers from '@sinonjs/fake-timers';
import { createPacedLane, runBatch, type AdaptiveLane, type Lane, type RetryPolicy } from '@/lib/engine';
import { seededRandom } from '@/lib/providers/testing';
import { clairvoyantWallMs } from './clairvoyant-bound';
import { createGridProvider } from './grid-provider';
import type { GridScenario } from './grid-scenario';

/**
 * Runs one batch of a grid scenario through the real engine (`runBatch`, the real lanes, the
 * adaptive controller) against the in-process provider, in simulated time: the global timers and
 * `Date` are replaced by a virtual clock (@sinonjs/fake-timers) that jumps from one timer to the
 * next once the microtasks have settled. An hour of provider time takes well under a second.
 */

export const gridStrategies = ['adaptive', 'fixed', 'sequential'] as const;
export type GridStrategy = (typeof gridStrategies)[number];

/**
 * The operator's cap on calls in flight (`PACING_MAX_CONCURRENCY`; for fixed pacing on a quota
 * with no cap of its own, `PACING_CONCURRENCY`): every scheduler is held to it, the bound included.
 */
export const gridClientMaxConcurrency = 64;

/** The engine's retry, with two attempts more than the default so that a 6 s storm of 503s cannot use them all up. */
export const gridRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

export interface GridRun {
  scenario: string;
  strategy: GridStrategy;
  seed: number;
  /** Simulated ms from the batch's start to its end. */
  wallMs: number;
  /** Simulated ms the clairvoyant scheduler needs for this batch (see `clairvoyantWallMs`). */
  boundWallMs: number;
  /** boundWallMs / wallMs: 1 is as fast as possible. */
  ratio: number;
  succeeded: number;
  lost: number;
  calls: number;
  /** 429s our client got (rate and calls in flight). */
  refused: number;
  refusedShare: number;
  overloaded: number;
  /** When the last 429 came (simulated ms from the start), undefined when none did. */
  lastRefusalAtMs?: number;
  peakInFlight: number;
  /** What the adaptive lane had learned by the end. */
  learned?: string;
}

export async function runGridScenario(scenario: GridScenario, strategy: GridStrategy, seed: number): Promise<GridRun> {
  const boundWallMs = clairvoyantWallMs(scenario, seed, gridClientMaxConcurrency);
  const clock = FakeTimers.withGlobal(globalThis).install({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  try {
    const provider = createGridProvider(scenario, seed);
    const lane = laneFor(scenario, strategy);
    const requests = Array.from({ length: scenario.images }, (_, offset) => ({ prompt: 'a lighthouse at dusk', index: offset + 1 }));
    let result: Awaited<ReturnType<typeof runBatch>> | undefined;
    const failure: unknown[] = [];
    runBatch({ batchId: 'grid', provider, requests, lane, retryPolicy: gridRetryPolicy, random: seededJitter(seed) }).then(
      (value) => (result = value),
      (error: unknown) => failure.push(error),
    );
    while (result === undefined && failure.length === 0) {
      if (clock.countTimers() === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (result === undefined && failure.length === 0 && clock.countTimers() === 0) throw new Error(`${scenario.name}: the batch waits on nothing (no timer left)`);
        continue;
      }
      await clock.nextAsync();
    }
    if (failure.length > 0) throw failure[0];
    provider.stop();
    const wallMs = clock.now;
    const stats = provider.stats();
    const refused = stats.refusedForRate + stats.refusedForConcurrency;
    const succeeded = result!.items.filter((item) => item.status === 'succeeded').length;
    return {
      scenario: scenario.name,
      strategy,
      seed,
      wallMs,
      boundWallMs,
      ratio: boundWallMs / wallMs,
      succeeded,
      lost: scenario.images - succeeded,
      calls: stats.calls,
      refused,
      refusedShare: stats.calls === 0 ? 0 : refused / stats.calls,
      overloaded: stats.overloaded,
      ...(stats.lastRefusalAtMs === undefined ? {} : { lastRefusalAtMs: stats.lastRefusalAtMs }),
      peakInFlight: stats.peakInFlight,
      ...(strategy === 'adaptive' ? { learned: describeLearned(lane as AdaptiveLane) } : {}),
    };
  } finally {
    clock.uninstall();
  }
}

/** The lane each strategy runs on, as `createApp()` builds it from PACING_* settings. */
function laneFor(scenario: GridScenario, strategy: GridStrategy): Lane {
  switch (strategy) {
    case 'sequential':
      return createPacedLane({ mode: 'sequential', concurrency: 1, minIntervalMs: 500, maxConcurrency: gridClientMaxConcurrency });
    case 'fixed': {
      // Told the quota: PACING_RPM its rate, PACING_CONCURRENCY its cap, PACING_BURST one under its bucket.
      const { requestsPerSecond, bucket, maxConcurrent } = scenario.quota;
      return createPacedLane({
        mode: 'fixed',
        concurrency: Math.min(maxConcurrent ?? gridClientMaxConcurrency, gridClientMaxConcurrency),
        requestsPerMinute: requestsPerSecond * 60,
        minIntervalMs: 500,
        burst: Math.max(1, bucket - 1),
        maxConcurrency: gridClientMaxConcurrency,
      });
    }
    case 'adaptive':
      return createPacedLane({ mode: 'adaptive', concurrency: 1, minIntervalMs: 500, maxConcurrency: gridClientMaxConcurrency });
  }
}

function describeLearned(lane: AdaptiveLane): string {
  const learned = lane.snapshot();
  const rate = learned.measuredRequestsPerMinute === undefined ? 'rate ?' : `${(learned.measuredRequestsPerMinute / 60).toFixed(2)}/s`;
  return `${learned.concurrency} slots (ceiling ${learned.concurrencyCeiling}), ${rate}, interval ${learned.minIntervalMs.toFixed(0)} ms, ${learned.reactions} slow-downs`;
}

/** The retry jitter, seeded like the latencies (another stream) so that a run can be replayed. */
function seededJitter(seed: number): () => number {
  return seededRandom(seed + 0x5bd1e995);
}
