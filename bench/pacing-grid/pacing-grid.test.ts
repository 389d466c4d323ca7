import { describe, expect, it, vi } from 'vitest';
import { clairvoyantWallMs } from './clairvoyant-bound';
import { createGridProvider } from './grid-provider';
import { PiecewiseTokenBucket } from './grid-quota';
import type { GridScenario } from './grid-scenario';
import { runGridScenario } from './run-grid-scenario';

/** Latency with no spread: every call takes exactly the median, so the bound can be worked out by hand. */
function shape(overrides: Partial<GridScenario> = {}): GridScenario {
  return { name: 'test', family: 'test', quota: { requestsPerSecond: 1, bucket: 2 }, latency: { medianMs: 1_000, sigma: 0 }, images: 4, ...overrides };
}

describe('the clairvoyant bound', () => {
  it('spends the bucket at once, then starts one call per refill', () => {
    // Starts at 0, 0, 1000, 2000; the last ends a latency later.
    expect(clairvoyantWallMs(shape(), 1, 64)).toBe(3_000);
  });

  it('waits for a slot when calls in flight are capped, and for the operator cap too', () => {
    expect(clairvoyantWallMs(shape({ quota: { requestsPerSecond: 10, bucket: 10, maxConcurrent: 1 } }), 1, 64)).toBe(4_000);
    expect(clairvoyantWallMs(shape({ quota: { requestsPerSecond: 10, bucket: 10 } }), 1, 2)).toBe(2_000);
  });

  it('on a far provider, holds a slot until the answer is back, a round trip after the call left', () => {
    expect(clairvoyantWallMs(shape({ roundTripMs: 300 }), 1, 64)).toBe(3_300);
    // One call at a time: each takes its 1 s and the round trip before the next may start.
    expect(clairvoyantWallMs(shape({ quota: { requestsPerSecond: 10, bucket: 10, maxConcurrent: 1 }, roundTripMs: 300 }), 1, 64)).toBe(5_200);
  });

  it('follows the quota halved mid-run and starts nothing during a storm', () => {
    // Third start at 1000 (one refill); from 1500 the rate is 0.5/s: the half token left takes 1000 ms more.
    expect(clairvoyantWallMs(shape({ halvedAtMs: 1_500 }), 1, 64)).toBe(3_500);
    expect(clairvoyantWallMs(shape({ storms: [{ fromMs: 0, untilMs: 500 }] }), 1, 64)).toBe(3_500);
  });
});

describe('PiecewiseTokenBucket', () => {
  it('says when its next token comes across a change of rate', () => {
    const bucket = new PiecewiseTokenBucket(1, (timeMs) => (timeMs < 1_000 ? 0.001 : 0.0005), [1_000]);
    bucket.take(500);
    // 0.5 token by 1000 ms at 1/s, the other half at 0.5/s: 1000 ms more.
    expect(bucket.nextTokenAtMs(500)).toBe(2_000);
    expect(bucket.hasTokenAt(1_999)).toBe(false);
    expect(bucket.hasTokenAt(2_000)).toBe(true);
  });
});

describe('runGridScenario (simulated time)', () => {
  it('fixed pacing told the quota matches the bound with no 429; adaptive loses nothing', async () => {
    const scenario = shape({ quota: { requestsPerSecond: 2, bucket: 2, maxConcurrent: 4 }, images: 30 });
    const fixed = await runGridScenario(scenario, 'fixed', 1);
    expect(fixed).toMatchObject({ refused: 0, lost: 0, succeeded: 30 });
    expect(fixed.ratio).toBeGreaterThan(0.95);
    const adaptive = await runGridScenario(scenario, 'adaptive', 1);
    expect(adaptive).toMatchObject({ lost: 0, succeeded: 30 });
    expect(adaptive.ratio).toBeLessThanOrEqual(1);
  });
});

describe('createGridProvider', () => {
  it('sends the hint in whole seconds, rounded up, when the scenario says so', async () => {
    const provider = createGridProvider(shape({ quota: { requestsPerSecond: 0.4, bucket: 1 }, retryHint: 'seconds', latency: { medianMs: 1, sigma: 0 } }), 1);
    const request = { prompt: 'a lighthouse at dusk', index: 1 };
    await provider.generate(request);
    // The next token comes in 2.5 s: the hint says 3 s.
    await expect(provider.generate({ ...request, index: 2 })).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 3_000, retryAfterSlackMs: 1_000 });
    provider.stop();
  });

  it('answers a 429 a network round trip after the call left, its hint counted from the decision halfway, and an image its latency later', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const provider = createGridProvider(shape({ quota: { requestsPerSecond: 1, bucket: 1 }, roundTripMs: 300 }), 1);
      const request = { prompt: 'a lighthouse at dusk', index: 1 };
      let acceptedAtMs: number | undefined;
      const accepted = provider.generate(request).then(() => (acceptedAtMs = Date.now()));
      let refusedAtMs: number | undefined;
      const refused = provider.generate({ ...request, index: 2 }).catch((error: unknown) => {
        refusedAtMs = Date.now();
        return error;
      });
      await vi.advanceTimersByTimeAsync(299);
      expect(refusedAtMs).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      expect(refusedAtMs).toBe(300);
      expect(await refused).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1_000 });
      // The image: 150 ms there, 1,000 ms at the provider, 150 ms back.
      await vi.advanceTimersByTimeAsync(999);
      expect(acceptedAtMs).toBeUndefined();
      await vi.advanceTimersByTimeAsync(1);
      await accepted;
      expect(acceptedAtMs).toBe(1_300);
      provider.stop();
    } finally {
      vi.useRealTimers();
    }
  });
  it('writes the x-ratelimit headers of a far 429 at the decision, not when the answer reaches the client', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      // A bucket of one at 3/s: the first call takes the token at 150 ms, the second reaches the
      // provider at 400 ms with 0.75 of a token, and is refused. By the time the 429 is back (550 ms)
      // a token would be there again: read then, the headers would say one request remains.
      const provider = createGridProvider(shape({ quota: { requestsPerSecond: 3, bucket: 1 }, roundTripMs: 300, isSendingRateLimitHeaders: true }), 1);
      const request = { prompt: 'a lighthouse at dusk', index: 1 };
      const accepted = provider.generate(request);
      await vi.advanceTimersByTimeAsync(250);
      const refused = provider.generate({ ...request, index: 2 }).catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(300);
      expect(await refused).toMatchObject({ kind: 'rate_limited', rateLimit: { limitRequestsPerMinute: 180, remainingRequests: 0 } });
      await vi.advanceTimersByTimeAsync(2_000);
      await accepted;
      provider.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
