import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError, type ImageProvider } from '@/lib/core';
import { createAdaptiveLane } from './adaptive-lane';
import type { SlotOutcome } from './lane';
import { runBatch } from './run-batch';
import { sleep } from '@/lib/core';
import { trackPromise } from './testing/track-promise';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A provider with a quota, in fake time: a token bucket (`requestsPerMinute`, `burst`) and a cap on
 * calls in flight, answering 429 at once with the time until the next token, else an image after
 * `latencyMs`. Counts what it accepted and refused.
 */
function createQuotaProvider(options: { requestsPerMinute: number; burst: number; maxConcurrent: number; latencyMs: number }) {
  const refillPerMs = options.requestsPerMinute / 60_000;
  let tokens = options.burst;
  let refilledAtMs = 0;
  let inFlight = 0;
  const stats = { accepted: 0, refused: 0, peakInFlight: 0 };
  const provider: ImageProvider = {
    id: 'quota',
    modelId: 'quota-model',
    isDemo: false,
    async generate(_request, signal) {
      tokens = Math.min(options.burst, tokens + (Date.now() - refilledAtMs) * refillPerMs);
      refilledAtMs = Date.now();
      if (inFlight >= options.maxConcurrent || tokens < 1) {
        stats.refused += 1;
        const retryAfterMs = tokens < 1 ? Math.ceil((1 - tokens) / refillPerMs) : 1_000;
        throw new ProviderError('rate_limited', '429', { status: 429, retryAfterMs });
      }
      tokens -= 1;
      inFlight += 1;
      stats.accepted += 1;
      stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
      try {
        await sleep(options.latencyMs, signal);
        return { bytes: new Uint8Array([1]), mimeType: 'image/png' };
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { provider, stats };
}

/** Runs `images` images through `runBatch` on a fresh adaptive lane against the quota, for `forMs` of fake time. */
async function runQuotaBatch(quota: Parameters<typeof createQuotaProvider>[0], images: number, forMs: number) {
  const { provider, stats } = createQuotaProvider(quota);
  const lane = createAdaptiveLane();
  const requests = Array.from({ length: images }, (_, offset) => ({ prompt: 'p', index: offset + 1 }));
  const startedAtMs = Date.now();
  let endedAtMs = 0;
  const run = trackPromise(
    runBatch({ batchId: 'b', provider, requests, lane, retryPolicy: { maxAttempts: 5 }, random: () => 0.5 }).finally(() => {
      endedAtMs = Date.now();
    }),
  );
  await vi.advanceTimersByTimeAsync(forMs);
  return { items: run.value!.items, stats, lane, wallMs: endedAtMs - startedAtMs };
}

describe('createAdaptiveLane', () => {
  it('starts one at a time and opens a slot for each call still in flight after acceptedAfterMs', async () => {
    const lane = createAdaptiveLane({ initialIntervalMs: 100, acceptedAfterMs: 1_000 });
    expect(lane.concurrency).toBe(1);
    const release = await lane.acquire();
    const second = trackPromise(lane.acquire());
    await vi.advanceTimersByTimeAsync(999);
    expect(second.isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(lane.concurrency).toBe(2);
    expect(second.isSettled).toBe(true);
    release({ status: 'succeeded' });
    second.value!({ status: 'succeeded' });
    expect(lane.inFlight).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('slows down on a 429 and keeps the lane pause working', async () => {
    const lane = createAdaptiveLane({ initialIntervalMs: 100, acceptedAfterMs: 50 });
    for (let call = 0; call < 3; call += 1) {
      const release = await lane.acquire();
      await vi.advanceTimersByTimeAsync(1_000);
      release({ status: 'succeeded' });
    }
    const before = lane.minIntervalMs;
    const release = await lane.acquire();
    lane.pauseFor(5_000);
    release({ status: 'failed', error: new ProviderError('rate_limited', '429', { retryAfterMs: 5_000 }) });
    expect(lane.minIntervalMs).toBeGreaterThan(before);
    expect(lane.snapshot().reactions).toBe(1);
    const next = trackPromise(lane.acquire());
    await vi.advanceTimersByTimeAsync(4_999);
    expect(next.isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next.isSettled).toBe(true);
    next.value!();
  });

  it('does not pause every start for the retry hint of a 429 judged to be for calls in flight', async () => {
    const lane = createAdaptiveLane({ initialIntervalMs: 10, acceptedAfterMs: 10 });
    const refuse = (release: (outcome?: SlotOutcome) => void) => {
      // As `runAttempt` does: the hint first, then the release with the outcome.
      lane.pauseFor(5_000);
      release({ status: 'failed', error: new ProviderError('rate_limited', '429', { retryAfterMs: 5_000 }) });
    };
    const first = await lane.acquire();
    await vi.advanceTimersByTimeAsync(10);
    const second = await lane.acquire();
    await vi.advanceTimersByTimeAsync(10);
    expect(lane.concurrency).toBeGreaterThanOrEqual(3);
    // The first 429 at three calls in flight could be the rate's or the cap's: probed (see below), and no slot frees before its token.
    refuse(await lane.acquire());
    await vi.advanceTimersByTimeAsync(5_000);
    // Refused again at three before any call got through there: the limit is on calls in flight.
    refuse(await lane.acquire());
    expect(lane.snapshot().concurrencyCeiling).toBe(2);
    expect(lane.pauseRemainingMs).toBe(0);
    // The next start waits for a slot, not for the hint.
    const next = trackPromise(lane.acquire());
    await vi.advanceTimersByTimeAsync(1);
    expect(next.isSettled).toBe(false);
    first({ status: 'succeeded' });
    await vi.advanceTimersByTimeAsync(100);
    expect(next.isSettled).toBe(true);
    second({ status: 'succeeded' });
    next.value!({ status: 'succeeded' });
  });

  describe('a cap of one, found at two in flight', () => {
    const hinted = (retryAfterMs: number): SlotOutcome => ({ status: 'failed', error: new ProviderError('rate_limited', '429', { retryAfterMs }) });

    it('probes the first 429 there instead of pausing: the next call starts when the one in flight ends, and is the proof', async () => {
      const lane = createAdaptiveLane({ initialIntervalMs: 10, acceptedAfterMs: 10 });
      const first = await lane.acquire();
      await vi.advanceTimersByTimeAsync(10);
      const refused = await lane.acquire();
      lane.pauseFor(5_000);
      refused(hinted(5_000));
      expect(lane.pauseRemainingMs).toBe(0);
      const next = trackPromise(lane.acquire());
      await vi.advanceTimersByTimeAsync(100);
      expect(next.isSettled).toBe(false);
      first({ status: 'succeeded' });
      await vi.advanceTimersByTimeAsync(50);
      expect(next.isSettled).toBe(true);
      await vi.advanceTimersByTimeAsync(10);
      expect(lane.snapshot().concurrencyCeiling).toBe(1);
      next.value!({ status: 'succeeded' });
    });

    it('with a hint in whole seconds, probes only until a second before it (the token may come then) and waits out the rest', async () => {
      const wholeSeconds = (retryAfterMs: number): SlotOutcome => ({ status: 'failed', error: new ProviderError('rate_limited', '429', { retryAfterMs, retryAfterSlackMs: 1_000 }) });
      const lane = createAdaptiveLane({ initialIntervalMs: 10, acceptedAfterMs: 10 });
      const first = await lane.acquire();
      await vi.advanceTimersByTimeAsync(10);
      const refused = await lane.acquire();
      lane.pauseFor(2_000);
      refused(wholeSeconds(2_000));
      const next = trackPromise(lane.acquire());
      // The call in flight ends after the window closed: no probe now, the rest of the hint first.
      await vi.advanceTimersByTimeAsync(1_500);
      first({ status: 'succeeded' });
      await vi.advanceTimersByTimeAsync(400);
      expect(next.isSettled).toBe(false);
      await vi.advanceTimersByTimeAsync(200);
      expect(next.isSettled).toBe(true);
      // Not judged a cap: it started after the window.
      expect(lane.snapshot().concurrencyCeiling).toBe(16);
      next.value!({ status: 'succeeded' });
    });

    it('once judged a cap of one, does not pause for the hint either: the next start waits for the slot alone', async () => {
      const lane = createAdaptiveLane({ initialIntervalMs: 10, acceptedAfterMs: 10 });
      const first = await lane.acquire();
      await vi.advanceTimersByTimeAsync(10);
      // Refused at two, and again on the token its hint announced: not the rate (see `classifyRefusal`).
      for (let refusal = 0; refusal < 3 && lane.snapshot().concurrencyCeiling > 1; refusal += 1) {
        const refused = trackPromise(lane.acquire());
        await vi.advanceTimersByTimeAsync(5_000);
        lane.pauseFor(5_000);
        refused.value!(hinted(5_000));
      }
      expect(lane.snapshot().concurrencyCeiling).toBe(1);
      expect(lane.pauseRemainingMs).toBe(0);
      const next = trackPromise(lane.acquire());
      await vi.advanceTimersByTimeAsync(100);
      expect(next.isSettled).toBe(false);
      first({ status: 'succeeded' });
      // The spacing (the last start was long ago), not the 5 s hint.
      await vi.advanceTimersByTimeAsync(1);
      expect(next.isSettled).toBe(true);
      next.value!({ status: 'succeeded' });
    });

    it('probes rather than starting on the token, and starts on it all the same when no slot freed before it', async () => {
      const lane = createAdaptiveLane({ initialIntervalMs: 100, acceptedAfterMs: 10 });
      const startAt = async (atMs: number) => {
        const call = trackPromise(lane.acquire());
        await vi.advanceTimersByTimeAsync(atMs - Date.now());
        expect(call.isSettled).toBe(true);
        return call.value!;
      };
      const refuse = (release: (outcome?: SlotOutcome) => void, retryAfterMs: number) => {
        lane.pauseFor(retryAfterMs);
        release(hinted(retryAfterMs));
      };
      const t0 = Date.now();
      const first = await lane.acquire();
      // The 429 that ends slow start (a start on its token is never asked for), probed for 30 ms.
      refuse(await startAt(t0 + 50), 30);
      await vi.advanceTimersByTimeAsync(10);
      first({ status: 'succeeded' }); // a latency: 60 ms
      // Long after the token, a call accepted, then one refused 100 ms later, whose 100 ms hint
      // says the bucket may hold a single token (a refill of 200 ms; accepted starts 400 ms apart).
      await vi.advanceTimersByTimeAsync(t0 + 400 - Date.now());
      const accepted = await startAt(t0 + 400);
      refuse(await startAt(t0 + 500), 100);
      // Probed: one call in flight at most, and that one is still in flight.
      expect(lane.concurrency).toBe(1);
      const next = trackPromise(lane.acquire());
      await vi.advanceTimersByTimeAsync(99);
      expect(next.isSettled).toBe(false);
      // The token: the probe is over, and the start comes on it, not an interval after the last start.
      await vi.advanceTimersByTimeAsync(1);
      expect(next.isSettled).toBe(true);
      for (const release of [accepted, next.value!]) release({ status: 'succeeded' });
    });
  });

  describe('a 429 that could be the rate or a cap on calls in flight, with a hint longer than a call', () => {
    /** Three calls accepted in flight (a fourth refused at four): the lane as a cap of three leaves it. */
    async function refusedAtFour() {
      const lane = createAdaptiveLane({ initialIntervalMs: 10, acceptedAfterMs: 10 });
      const warmUp = await lane.acquire();
      await vi.advanceTimersByTimeAsync(20);
      warmUp({ status: 'succeeded' }); // a latency is known: 20 ms
      const inFlight = [];
      for (let call = 0; call < 3; call += 1) {
        inFlight.push(await lane.acquire());
        await vi.advanceTimersByTimeAsync(10);
      }
      const refused = await lane.acquire();
      lane.pauseFor(5_000);
      refused({ status: 'failed', error: new ProviderError('rate_limited', '429', { retryAfterMs: 5_000 }) });
      return { lane, inFlight };
    }

    it('does not pause: one call starts as soon as a slot frees, and once accepted the ceiling goes under the level refused', async () => {
      const { lane, inFlight } = await refusedAtFour();
      expect(lane.pauseRemainingMs).toBe(0);
      const probe = trackPromise(lane.acquire());
      const after = trackPromise(lane.acquire());
      await vi.advanceTimersByTimeAsync(1);
      expect(probe.isSettled).toBe(false);
      inFlight[0]!({ status: 'succeeded' });
      // The slot freed: the probe starts once the spacing allows (20 ms), not after the 5 s hint.
      await vi.advanceTimersByTimeAsync(20);
      expect(probe.isSettled).toBe(true);
      // Nothing else starts until the probe is judged, though a slot is free.
      inFlight[1]!({ status: 'succeeded' });
      await vi.advanceTimersByTimeAsync(5);
      expect(after.isSettled).toBe(false);
      // Still in flight after the acceptance time: accepted, so the 429 was the cap's.
      await vi.advanceTimersByTimeAsync(5);
      expect(lane.snapshot().concurrencyCeiling).toBe(3);
      await vi.advanceTimersByTimeAsync(20);
      expect(after.isSettled).toBe(true);
      for (const release of [inFlight[2]!, probe.value!, after.value!]) release({ status: 'succeeded' });
    });

    it('pauses for the hint of the probe refused in turn: the limit was the rate', async () => {
      const { lane, inFlight } = await refusedAtFour();
      const probe = trackPromise(lane.acquire());
      const after = trackPromise(lane.acquire());
      inFlight[0]!({ status: 'succeeded' });
      await vi.advanceTimersByTimeAsync(20);
      expect(probe.isSettled).toBe(true);
      lane.pauseFor(4_000);
      probe.value!({ status: 'failed', error: new ProviderError('rate_limited', '429', { retryAfterMs: 4_000 }) });
      expect(lane.snapshot().concurrencyCeiling).toBe(16);
      expect(lane.pauseRemainingMs).toBe(4_000);
      inFlight[1]!({ status: 'succeeded' });
      await vi.advanceTimersByTimeAsync(3_999);
      expect(after.isSettled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(after.isSettled).toBe(true);
      for (const release of [inFlight[2]!, after.value!]) release({ status: 'succeeded' });
    });
  });

  it('applies a pause asked for outside a release', async () => {
    const lane = createAdaptiveLane({ initialIntervalMs: 0 });
    lane.pauseFor(2_000);
    await Promise.resolve();
    expect(lane.pauseRemainingMs).toBe(2_000);
    expect(() => lane.pauseFor(-1)).toThrow(RangeError);
  });

  it('ignores a second release and an aborted call', async () => {
    const lane = createAdaptiveLane();
    const release = await lane.acquire();
    release();
    release({ status: 'failed', error: new ProviderError('rate_limited', '429') });
    expect(lane.inFlight).toBe(0);
    expect(lane.snapshot().reactions).toBe(0);
  });

  it('finds a rate quota it was not told: no image lost, few 429s, near the quota', async () => {
    // 12 per minute (one per 5 s), burst 2, calls take 9 s: the rate is the limit (12/min < 8 / 9 s).
    const { items, stats, lane, wallMs } = await runQuotaBatch({ requestsPerMinute: 12, burst: 2, maxConcurrent: 8, latencyMs: 9_000 }, 60, 30 * 60_000);
    expect(items.every((item) => item.status === 'succeeded')).toBe(true);
    // A low rate (under two calls in flight) is the hard case: a handful of 429s while learning it.
    expect(stats.refused).toBeLessThanOrEqual(8);
    expect(lane.snapshot().measuredRequestsPerMinute).toBeGreaterThan(10);
    expect(lane.snapshot().measuredRequestsPerMinute).toBeLessThanOrEqual(12.5);
    // The quota lets 60 calls through in about 290 s (burst 2, then one per 5 s), plus a last 9 s call.
    expect(wallMs).toBeLessThan(300_000 / 0.9);
  });

  it('on a bucket of one token, starts on the token a rate 429 announced instead of waiting out its interval', async () => {
    // One token a second, a bucket of one, 500 ms calls: the quota lets 40 calls through in 39.5 s.
    const { items, stats, lane, wallMs } = await runQuotaBatch({ requestsPerMinute: 60, burst: 1, maxConcurrent: 8, latencyMs: 500 }, 40, 10 * 60_000);
    expect(items.every((item) => item.status === 'succeeded')).toBe(true);
    // Waiting out the interval past each announced token lost refill: 45.5 s, 4 429s, the quota measured low.
    expect(wallMs).toBeLessThanOrEqual(39_500 / 0.97);
    expect(stats.refused).toBeLessThanOrEqual(3);
    expect(lane.snapshot().measuredRequestsPerMinute).toBeCloseTo(60, 5);
  });

  it('finds a concurrency limit it was not told', async () => {
    const { items, stats, lane, wallMs } = await runQuotaBatch({ requestsPerMinute: 600, burst: 50, maxConcurrent: 5, latencyMs: 9_000 }, 60, 30 * 60_000);
    expect(items.every((item) => item.status === 'succeeded')).toBe(true);
    expect(stats.peakInFlight).toBe(5);
    expect(lane.snapshot().concurrencyCeiling).toBeLessThanOrEqual(6);
    expect(stats.refused).toBeLessThanOrEqual(6);
    // 60 calls of 9 s on 5 slots: 108 s at best; within 80% of that.
    expect(wallMs).toBeLessThan(108_000 / 0.8);
  });
});
