import { describe, expect, it } from 'vitest';
import { idealWallMs, quotaCeilingPerMinute, summarizeRuns, type ThroughputResult, type ThroughputScenario } from './throughput';

/** The numbers BENCHMARKS.md prints come from these: checked on cases worked out by hand. */

const scenario = (quota: ThroughputScenario['quota'], images: number, latencyMs: number): ThroughputScenario => ({
  name: 'hand-made',
  wire: 'gemini',
  quota,
  latency: { kind: 'fixed', ms: latencyMs },
  images,
  timeFactor: 1,
});

describe('the clairvoyant bound and the ceiling', () => {
  it('the ceiling is the lower of the quota rate and the calls in flight over the mean latency', () => {
    expect(quotaCeilingPerMinute(scenario({ requestsPerMinute: 600, maxConcurrent: 2 }, 10, 1_000))).toBe(120);
    expect(quotaCeilingPerMinute(scenario({ requestsPerMinute: 30, maxConcurrent: 8 }, 10, 1_000))).toBe(30);
  });

  it('bound by the slots: the bucket lets the first calls start together, the rest start as slots free', () => {
    // 2 slots, 1 s calls, a bucket of 5 refilled once a second: 0, 0, then 1 s, 1 s; the last ends at 2 s.
    expect(idealWallMs(scenario({ requestsPerMinute: 60, maxConcurrent: 2, burstRequests: 5 }, 4, 1_000))).toBe(2_000);
  });

  it('bound by the rate: a bucket of 2 starts two at once, then one per refill; the last ends a latency later', () => {
    // Starts at 0, 0, 1 s, 2 s, 3 s; the fifth ends at 3.5 s.
    expect(idealWallMs(scenario({ requestsPerMinute: 60, maxConcurrent: 10, burstRequests: 2 }, 5, 500))).toBe(3_500);
  });
});

describe('summarizeRuns', () => {
  const run = (overrides: Partial<ThroughputResult>): ThroughputResult => ({
    scenario: 'B',
    strategy: 'adaptive',
    seed: 1,
    wallMs: 300_000,
    realWallMs: 6_000,
    succeeded: 100,
    lost: 0,
    rejected: 4,
    calls: 104,
    imagesPerMinute: 20,
    ceilingPerMinute: 20,
    ratioToCeiling: 1,
    idealWallMs: 300_000,
    ratioToIdeal: 1,
    startRateRatio: 1,
    peakInFlight: 4,
    ...overrides,
  });

  it('gives the means, the worst run and the refusals over every run', () => {
    const summary = summarizeRuns([
      run({ seed: 1, ratioToCeiling: 0.9, wallMs: 320_000, rejected: 6, calls: 106, startRateRatio: 0.95 }),
      run({ seed: 2, ratioToCeiling: 1, wallMs: 300_000, rejected: 2, calls: 102, startRateRatio: 1 }),
    ]);
    expect(summary).toMatchObject({ seeds: [1, 2], meanWallMs: 310_000, rejected: 8, calls: 208, lost: 0 });
    expect(summary.meanRatioToCeiling).toBeCloseTo(0.95, 10);
    expect(summary.worstRatioToCeiling).toBe(0.9);
    expect(summary.worstRejectedShare).toBeCloseTo(6 / 106, 10);
    expect(summary.meanStartRateRatio).toBeCloseTo(0.975, 10);
  });

  it('gives no accepted-start rate when a run lost images, and refuses an empty list', () => {
    const { startRateRatio: _dropped, ...lossy } = run({ lost: 3, succeeded: 97 });
    expect(summarizeRuns([run({}), lossy]).meanStartRateRatio).toBeUndefined();
    expect(() => summarizeRuns([])).toThrow(RangeError);
  });
});
