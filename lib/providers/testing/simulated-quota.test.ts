import { describe, expect, it } from 'vitest';
import { createSimulatedQuota } from './simulated-quota';
import { meanLatencyMs, sampleLatencyMs, seededRandom } from './latency-distribution';

function quotaAt(options: Parameters<typeof createSimulatedQuota>[0]) {
  const clock = { nowMs: 0 };
  return { clock, quota: createSimulatedQuota({ now: () => clock.nowMs, ...options }) };
}

describe('createSimulatedQuota', () => {
  it('lets a burst through, then one request per refill, and says when the next token comes', () => {
    const { clock, quota } = quotaAt({ requestsPerMinute: 60, burstRequests: 2 });
    expect(quota.admit().isAccepted).toBe(true);
    expect(quota.admit().isAccepted).toBe(true);
    expect(quota.admit()).toEqual({ isAccepted: false, reason: 'rate', retryAfterMs: 1_000 });
    clock.nowMs = 400;
    expect(quota.admit()).toEqual({ isAccepted: false, reason: 'rate', retryAfterMs: 600 });
    clock.nowMs = 1_000;
    expect(quota.admit().isAccepted).toBe(true);
    expect(quota.admit().isAccepted).toBe(false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const { clock, quota } = quotaAt({ requestsPerMinute: 60, burstRequests: 3 });
    clock.nowMs = 3_600_000;
    expect([quota.admit(), quota.admit(), quota.admit(), quota.admit()].map((admission) => admission.isAccepted)).toEqual([true, true, true, false]);
  });

  it('caps requests in flight, and frees the slot once (a second release is harmless)', () => {
    const { quota } = quotaAt({ maxConcurrent: 1 });
    const first = quota.admit();
    expect(quota.admit()).toMatchObject({ isAccepted: false, reason: 'concurrency' });
    if (!first.isAccepted) throw new Error('expected a slot');
    first.release();
    first.release();
    expect(quota.state().inFlight).toBe(0);
    expect(quota.admit().isAccepted).toBe(true);
    expect(quota.admit().isAccepted).toBe(false);
  });

  it('reports the state the x-ratelimit-* headers carry', () => {
    const { clock, quota } = quotaAt({ requestsPerMinute: 120, burstRequests: 10 });
    for (let request = 0; request < 4; request += 1) quota.admit();
    expect(quota.state()).toEqual({ limitRequestsPerMinute: 120, remainingRequests: 6, resetRequestsMs: 2_000, inFlight: 4 });
    clock.nowMs = 2_000;
    expect(quota.state()).toMatchObject({ remainingRequests: 10, resetRequestsMs: 0 });
  });

  it('defaults its burst to 5 seconds of the rate, and is unlimited without a rate', () => {
    const { quota } = quotaAt({ requestsPerMinute: 60 });
    expect(quota.state().remainingRequests).toBe(5);
    const { quota: unlimited } = quotaAt({});
    for (let request = 0; request < 1_000; request += 1) expect(unlimited.admit().isAccepted).toBe(true);
  });
});

describe('latency distributions', () => {
  it('draws a log-normal with the asked median, a long tail and a cap, the same for the same seed', () => {
    const distribution = { kind: 'log-normal', medianMs: 9_000, sigma: 0.35, maxMs: 30_000 } as const;
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 4_000 }, () => sampleLatencyMs(distribution, random)).sort((left, right) => left - right);
    };
    const draws = draw(7);
    expect(draws).toEqual(draw(7));
    expect(draws[2_000]).toBeGreaterThan(8_500);
    expect(draws[2_000]).toBeLessThan(9_500);
    expect(draws[3_800]).toBeGreaterThan(14_000); // p95
    expect(draws.at(-1)).toBeLessThanOrEqual(30_000);
    const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
    expect(mean / meanLatencyMs(distribution)).toBeCloseTo(1, 1);
  });
});
