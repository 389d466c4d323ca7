import type { GenerateImageOptions, ImageProvider } from '@/lib/core';
import { createLane, createPacedLane, runBatch, type AdaptiveLane, type Lane, type RetryPolicy } from '@/lib/engine';
import { createGeminiProvider, createOpenAIProvider, defaultGeminiModelId, defaultOpenAIModelId } from '@/lib/providers';
import {
  defaultBurstRequests,
  imageModelLatency,
  sampleLatencyMs,
  seededRandom,
  startProviderSimulator,
  type LatencyDistribution,
  type ProviderSimulator,
  type SimulatedQuotaOptions,
  type SimulatedWire,
} from '@/lib/providers/testing';
import { runFixedWindowQueue, runNaiveParallel } from './baselines';

/**
 * One workload, one simulated quota, every pacing strategy in turn, each against a fresh simulator
 * with the same seed (the n-th accepted call takes the same time in every run).
 *
 * Everything the engine does in time is scaled by the same `timeFactor` as the simulator (the
 * seed's 500 ms interval, backoff delays, timeouts), so results read in simulated time: the numbers
 * a real provider with this quota and latency would give, minus real network jitter.
 */

export interface ThroughputScenario {
  name: string;
  wire: SimulatedWire;
  quota: Required<Pick<SimulatedQuotaOptions, 'requestsPerMinute' | 'maxConcurrent'>> & SimulatedQuotaOptions;
  latency?: LatencyDistribution;
  images: number;
  timeFactor: number;
  seed?: number;
}

export const strategies = ['seed', 'naive', 'fixed-window', 'fixed', 'fixed-burst', 'adaptive'] as const;
export type Strategy = (typeof strategies)[number];

export const strategyLabels: Record<Strategy, string> = {
  seed: 'seed pacing (sequential, 500 ms)',
  naive: 'naive parallel (all at once, no retry)',
  'fixed-window': 'p-queue style (fixed window + p-retry)',
  fixed: 'ours: PACING_MODE=fixed, PACING_RPM + PACING_CONCURRENCY = the quota (evenly spaced)',
  'fixed-burst': 'ours: PACING_MODE=fixed, + PACING_BURST one under the quota\'s bucket',
  adaptive: 'ours: PACING_MODE=adaptive (not told)',
};

export interface ThroughputResult {
  scenario: string;
  strategy: Strategy;
  /** The simulator's latency seed for this run. */
  seed: number;
  /** Simulated milliseconds from the first call to the last image. */
  wallMs: number;
  realWallMs: number;
  succeeded: number;
  lost: number;
  /** Calls the provider answered 429. */
  rejected: number;
  /** All calls the provider received. */
  calls: number;
  imagesPerMinute: number;
  ceilingPerMinute: number;
  ratioToCeiling: number;
  /** Simulated ms a clairvoyant scheduler would take for this very batch (see `idealWallMs`). */
  idealWallMs: number;
  /**
   * Images per minute over the best images per minute for this batch (`images / idealWallMs`): the
   * share of the best this batch allows, ramp-up and latency tail included.
   */
  ratioToIdeal: number;
  /**
   * The pace of accepted calls, from the first to the last, over the ceiling: the scheduler's own
   * share, without the ramp-up and the last images' latency tail that no scheduler can avoid.
   * Undefined when images were lost (a pace of calls that end nowhere means nothing).
   */
  startRateRatio?: number;
  peakInFlight: number;
  /** What the adaptive lane had learned by the end. */
  learned?: string;
}

/** One strategy over several seeds (same seeds for every strategy): means, and the worst run. */
export interface ThroughputSummary {
  scenario: string;
  strategy: Strategy;
  seeds: number[];
  runs: ThroughputResult[];
  meanWallMs: number;
  meanImagesPerMinute: number;
  meanCeilingPerMinute: number;
  meanRatioToCeiling: number;
  worstRatioToCeiling: number;
  meanRatioToIdeal: number;
  /** Mean of the runs' accepted-start ratios; undefined if any run lost images. */
  meanStartRateRatio?: number;
  rejected: number;
  calls: number;
  lost: number;
  /** The worst run's share of calls refused. */
  worstRejectedShare: number;
  learned: string[];
}

export function summarizeRuns(runs: ThroughputResult[]): ThroughputSummary {
  if (runs.length === 0) throw new RangeError('summarizeRuns needs at least one run');
  const mean = (pick: (run: ThroughputResult) => number) => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
  const sum = (pick: (run: ThroughputResult) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const startRatios = runs.map((run) => run.startRateRatio);
  return {
    scenario: runs[0]!.scenario,
    strategy: runs[0]!.strategy,
    seeds: runs.map((run) => run.seed),
    runs,
    meanWallMs: mean((run) => run.wallMs),
    meanImagesPerMinute: mean((run) => run.imagesPerMinute),
    meanCeilingPerMinute: mean((run) => run.ceilingPerMinute),
    meanRatioToCeiling: mean((run) => run.ratioToCeiling),
    worstRatioToCeiling: Math.min(...runs.map((run) => run.ratioToCeiling)),
    meanRatioToIdeal: mean((run) => run.ratioToIdeal),
    ...(startRatios.every((ratio) => ratio !== undefined) ? { meanStartRateRatio: mean((run) => run.startRateRatio!) } : {}),
    rejected: sum((run) => run.rejected),
    calls: sum((run) => run.calls),
    lost: sum((run) => run.lost),
    worstRejectedShare: Math.max(...runs.map((run) => (run.calls === 0 ? 0 : run.rejected / run.calls))),
    learned: runs.flatMap((run) => (run.learned ? [run.learned] : [])),
  };
}

export async function runThroughput(scenario: ThroughputScenario, strategy: Strategy): Promise<ThroughputResult> {
  const { timeFactor } = scenario;
  const simulator = await startProviderSimulator({
    wire: scenario.wire,
    quota: scenario.quota,
    latency: scenario.latency ?? imageModelLatency,
    timeFactor,
    seed: scenario.seed ?? 1,
  });
  try {
    const provider = providerFor(simulator, 180_000 * timeFactor);
    const requests: GenerateImageOptions[] = Array.from({ length: scenario.images }, (_, offset) => ({
      prompt: 'a lighthouse at dusk, oil painting',
      index: offset + 1,
    }));
    const startedAtMs = performance.now();
    const { succeeded, learned } = await runStrategy(strategy, scenario, provider, requests);
    const realWallMs = performance.now() - startedAtMs;
    const stats = simulator.stats();
    const wallMs = realWallMs / timeFactor;
    const imagesPerMinute = succeeded / (wallMs / 60_000);
    const ceilingPerMinute = quotaCeilingPerMinute(scenario);
    const bestWallMs = idealWallMs(scenario);
    const acceptedSpanMs = ((stats.lastAcceptedAtMs ?? 0) - (stats.firstAcceptedAtMs ?? 0)) / timeFactor;
    const startsPerMinute = acceptedSpanMs > 0 ? (stats.accepted - 1) / (acceptedSpanMs / 60_000) : 0;
    return {
      scenario: scenario.name,
      strategy,
      seed: scenario.seed ?? 1,
      wallMs,
      realWallMs,
      succeeded,
      lost: scenario.images - succeeded,
      rejected: stats.rateLimited,
      calls: stats.requests,
      imagesPerMinute,
      ceilingPerMinute,
      ratioToCeiling: imagesPerMinute / ceilingPerMinute,
      ...(succeeded === scenario.images ? { startRateRatio: startsPerMinute / ceilingPerMinute } : {}),
      idealWallMs: bestWallMs,
      ratioToIdeal: imagesPerMinute / (scenario.images / (bestWallMs / 60_000)),
      peakInFlight: stats.peakInFlight,
      ...(learned ? { learned } : {}),
    };
  } finally {
    await simulator.close();
  }
}

/**
 * The best sustained rate the quota allows: min(requests per minute, concurrency / mean latency).
 * The mean is that of the latencies this batch's calls draw (same seed), so every run shares it.
 */
export function quotaCeilingPerMinute(scenario: ThroughputScenario): number {
  const random = seededRandom(scenario.seed ?? 1);
  const latency = scenario.latency ?? imageModelLatency;
  let sumMs = 0;
  for (let drawn = 0; drawn < scenario.images; drawn += 1) sumMs += sampleLatencyMs(latency, random);
  const meanMs = sumMs / scenario.images;
  return Math.min(scenario.quota.requestsPerMinute, (scenario.quota.maxConcurrent * 60_000) / meanMs);
}

/**
 * The best wall time for this batch under the quota: a scheduler that knows the quota (bucket size
 * included) starts each image, in order, the moment a token and a slot are both free; the n-th call
 * takes the n-th latency of the seeded stream, as in every run. No 429, no ramp-up.
 */
export function idealWallMs(scenario: ThroughputScenario): number {
  const random = seededRandom(scenario.seed ?? 1);
  const latency = scenario.latency ?? imageModelLatency;
  const { requestsPerMinute, maxConcurrent } = scenario.quota;
  const burst = scenario.quota.burstRequests ?? defaultBurstRequests(requestsPerMinute);
  const refillMs = 60_000 / requestsPerMinute;
  const slotsFreeAtMs: number[] = Array.from({ length: maxConcurrent }, () => 0);
  let startMs = 0;
  let makespanMs = 0;
  for (let index = 0; index < scenario.images; index += 1) {
    // The bucket starts full: call n may start once (n + 1 - burst) refills have happened.
    const tokenAtMs = Math.max(0, (index + 1 - burst) * refillMs);
    slotsFreeAtMs.sort((left, right) => left - right);
    startMs = Math.max(startMs, tokenAtMs, slotsFreeAtMs[0]!);
    const endMs = startMs + sampleLatencyMs(latency, random);
    slotsFreeAtMs[0] = endMs;
    makespanMs = Math.max(makespanMs, endMs);
  }
  return makespanMs;
}

async function runStrategy(
  strategy: Strategy,
  scenario: ThroughputScenario,
  provider: ImageProvider,
  requests: GenerateImageOptions[],
): Promise<{ succeeded: number; learned?: string }> {
  const { timeFactor, quota } = scenario;
  const retryPolicy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000 * timeFactor, maxDelayMs: 60_000 * timeFactor };
  switch (strategy) {
    case 'naive':
      return runNaiveParallel(provider, requests);
    case 'fixed-window':
      // p-queue's documented recipe for "N per minute": intervalCap N, interval 60 s.
      return runFixedWindowQueue(provider, requests, {
        concurrency: quota.maxConcurrent,
        intervalCap: quota.requestsPerMinute,
        intervalMs: 60_000 * timeFactor,
        maxAttempts: 3,
        baseDelayMs: 1_000 * timeFactor,
      });
    case 'seed':
      return runOnLane(createLane({ concurrency: 1, minIntervalMs: 500 * timeFactor }), provider, requests, retryPolicy);
    case 'fixed':
    case 'fixed-burst':
      return runOnLane(
        createPacedLane({
          mode: 'fixed',
          concurrency: quota.maxConcurrent,
          requestsPerMinute: quota.requestsPerMinute / timeFactor,
          minIntervalMs: 500 * timeFactor,
          maxConcurrency: 16,
          ...(strategy === 'fixed-burst' ? { burst: Math.max(1, (quota.burstRequests ?? defaultBurstRequests(quota.requestsPerMinute)) - 1) } : {}),
        }),
        provider,
        requests,
        retryPolicy,
      );
    case 'adaptive': {
      const lane = createPacedLane({ mode: 'adaptive', concurrency: 1, minIntervalMs: 500 * timeFactor, maxConcurrency: 16, acceptedAfterMs: 1_000 * timeFactor }) as AdaptiveLane;
      const result = await runOnLane(lane, provider, requests, retryPolicy);
      const learned = lane.snapshot();
      const rpm = learned.measuredRequestsPerMinute === undefined ? "rate ?" : `${(learned.measuredRequestsPerMinute * timeFactor).toFixed(1)} rpm`;
      return { ...result, learned: `concurrency ${learned.concurrency}/${learned.concurrencyCeiling}, ${rpm}, ${learned.reactions} slow-downs` };
    }
  }
}

async function runOnLane(lane: Lane, provider: ImageProvider, requests: GenerateImageOptions[], retryPolicy: RetryPolicy) {
  const result = await runBatch({ batchId: 'bench', provider, requests, lane, retryPolicy });
  return { succeeded: result.items.filter((item) => item.status === 'succeeded').length };
}

function providerFor(simulator: ProviderSimulator, timeoutMs: number): ImageProvider {
  return simulator.wire === 'gemini'
    ? createGeminiProvider({ apiKey: 'simulator-key', baseUrl: simulator.baseUrl, model: defaultGeminiModelId, timeoutMs })
    : createOpenAIProvider({ apiKey: 'simulator-key', baseUrl: simulator.baseUrl, model: defaultOpenAIModelId, timeoutMs });
}
