import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLane, type Lane } from './lane';
import { trackPromise } from './testing/track-promise';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Acquires, records the start time, holds the slot for `holdMs`, releases. */
async function useSlot(lane: Lane, starts: number[], holdMs = 0): Promise<void> {
  const release = await lane.acquire();
  starts.push(Date.now());
  if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
  release();
}

describe('createLane', () => {
  it('defaults to one at a time, 500 ms between starts', async () => {
    const lane = createLane();
    expect(lane.concurrency).toBe(1);
    expect(lane.minIntervalMs).toBe(500);
    const starts: number[] = [];
    const all = Promise.all([useSlot(lane, starts), useSlot(lane, starts), useSlot(lane, starts)]);
    await vi.advanceTimersByTimeAsync(999);
    expect(starts).toEqual([0, 500]);
    await vi.advanceTimersByTimeAsync(1);
    await all;
    expect(starts).toEqual([0, 500, 1000]);
  });

  it('measures the interval between starts, not from the end of a slow call', async () => {
    const lane = createLane({ minIntervalMs: 500 });
    const starts: number[] = [];
    const all = Promise.all([useSlot(lane, starts, 800), useSlot(lane, starts, 800)]);
    await vi.advanceTimersByTimeAsync(2_000);
    await all;
    expect(starts).toEqual([0, 800]);
  });

  it('never exceeds the concurrency', async () => {
    const lane = createLane({ concurrency: 2, minIntervalMs: 0 });
    const first = trackPromise(lane.acquire());
    const second = trackPromise(lane.acquire());
    const third = trackPromise(lane.acquire());
    await vi.advanceTimersByTimeAsync(0);
    expect([first.isSettled, second.isSettled, third.isSettled]).toEqual([true, true, false]);
    expect(lane.inFlight).toBe(2);
    expect(lane.waiting).toBe(1);
    first.value!();
    await vi.advanceTimersByTimeAsync(0);
    expect(third.isSettled).toBe(true);
    expect(lane.inFlight).toBe(2);
  });

  it('serves waiters first in, first out', async () => {
    const lane = createLane({ minIntervalMs: 0 });
    const order: string[] = [];
    const all = ['a', 'b', 'c', 'd'].map(async (label) => {
      const release = await lane.acquire();
      order.push(label);
      await Promise.resolve();
      release();
    });
    await Promise.all(all);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('ignores a second release of the same slot', async () => {
    const lane = createLane({ minIntervalMs: 0 });
    const release = await lane.acquire();
    const second = trackPromise(lane.acquire());
    const third = trackPromise(lane.acquire());
    release();
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.isSettled).toBe(true);
    expect(third.isSettled).toBe(false);
    expect(lane.inFlight).toBe(1);
  });

  it('rejects a waiter whose signal aborts, with the abort reason, and keeps the queue consistent', async () => {
    const lane = createLane({ minIntervalMs: 0 });
    const release = await lane.acquire();
    const controller = new AbortController();
    const aborted = trackPromise(lane.acquire(controller.signal));
    const next = trackPromise(lane.acquire());
    expect(lane.waiting).toBe(2);

    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted.error).toMatchObject({ name: 'AbortError' });
    expect(lane.waiting).toBe(1);
    expect(next.isSettled).toBe(false);

    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(next.isSettled).toBe(true);
    expect(lane.inFlight).toBe(1);
  });

  it('rejects at once when the signal is already aborted, with a custom reason kept', async () => {
    const lane = createLane();
    const reason = new Error('stop');
    await expect(lane.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(lane.waiting).toBe(0);
    expect(lane.inFlight).toBe(0);
  });

  it('leaves no timer behind when the last waiter gives up', async () => {
    const lane = createLane({ minIntervalMs: 10_000 });
    const release = await lane.acquire();
    release();
    const controller = new AbortController();
    const waiting = lane.acquire(controller.signal).catch(() => undefined);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await waiting;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('pauses every start for the given time, even with free slots', async () => {
    const lane = createLane({ concurrency: 3, minIntervalMs: 0 });
    lane.pauseFor(1_000);
    expect(lane.pauseRemainingMs).toBe(1_000);
    const waiter = trackPromise(lane.acquire());
    await vi.advanceTimersByTimeAsync(999);
    expect(waiter.isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiter.isSettled).toBe(true);
    expect(lane.pauseRemainingMs).toBe(0);
  });

  it('extends a pause but never shortens it', async () => {
    const lane = createLane({ minIntervalMs: 0 });
    lane.pauseFor(1_000);
    lane.pauseFor(300);
    expect(lane.pauseRemainingMs).toBe(1_000);
    const waiter = trackPromise(lane.acquire());
    await vi.advanceTimersByTimeAsync(500);
    lane.pauseFor(2_000);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(waiter.isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiter.isSettled).toBe(true);
  });

  it('ends a pause for a token with a start at once, then spaces the next one from it', async () => {
    const lane = createLane({ concurrency: 3, minIntervalMs: 1_000 });
    const starts: number[] = [];
    const first = useSlot(lane, starts);
    await first;
    await vi.advanceTimersByTimeAsync(100);
    // The spacing alone would hold the next start until 1000; the token comes at 400.
    lane.pauseUntilToken(300);
    const rest = Promise.all([useSlot(lane, starts), useSlot(lane, starts)]);
    await vi.advanceTimersByTimeAsync(299);
    expect(starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([0, 400]);
    await vi.advanceTimersByTimeAsync(1_000);
    await rest;
    expect(starts).toEqual([0, 400, 1400]);
  });

  it('keeps the spacing after a plain pause', async () => {
    const lane = createLane({ concurrency: 3, minIntervalMs: 1_000 });
    const starts: number[] = [];
    await useSlot(lane, starts);
    await vi.advanceTimersByTimeAsync(100);
    lane.pauseFor(300);
    const next = useSlot(lane, starts);
    await vi.advanceTimersByTimeAsync(900);
    await next;
    expect(starts).toEqual([0, 1000]);
    expect(() => lane.pauseUntilToken(-1)).toThrow(/pauseUntilToken needs a finite duration/);
  });

  it('wakes waiters when the concurrency grows, and holds new ones when it shrinks', async () => {
    const lane = createLane({ minIntervalMs: 0 });
    await lane.acquire();
    const second = trackPromise(lane.acquire());
    const third = trackPromise(lane.acquire());
    lane.setConcurrency(3);
    await vi.advanceTimersByTimeAsync(0);
    expect([second.isSettled, third.isSettled]).toEqual([true, true]);
    expect(lane.inFlight).toBe(3);

    lane.setConcurrency(2);
    const fourth = trackPromise(lane.acquire());
    second.value!();
    await vi.advanceTimersByTimeAsync(0);
    expect(fourth.isSettled).toBe(false);
    third.value!();
    await vi.advanceTimersByTimeAsync(0);
    expect(fourth.isSettled).toBe(true);
  });

  it('tells its listeners when the concurrency is raised, never when it is lowered or kept', () => {
    const lane = createLane({ concurrency: 2 });
    const heard: number[] = [];
    const unsubscribe = lane.onConcurrencyRaised(() => heard.push(lane.concurrency));
    lane.setConcurrency(4);
    lane.setConcurrency(4);
    lane.setConcurrency(3);
    lane.setConcurrency(Infinity);
    expect(heard).toEqual([4, Infinity]);
    unsubscribe();
    lane.setConcurrency(1);
    lane.setConcurrency(8);
    expect(heard).toEqual([4, Infinity]);
  });

  it('with a burst, lets that many start together after a quiet spell, then one per interval (a token bucket)', async () => {
    const lane = createLane({ concurrency: Infinity, minIntervalMs: 1_000, burst: 3 });
    expect(lane.burst).toBe(3);
    const starts: number[] = [];
    const first = Promise.all(Array.from({ length: 7 }, () => useSlot(lane, starts)));
    await vi.advanceTimersByTimeAsync(10_000);
    await first;
    expect(starts).toEqual([0, 0, 0, 1_000, 2_000, 3_000, 4_000]);
    // Quiet for long enough to refill: a burst again, not one start per interval.
    await vi.advanceTimersByTimeAsync(20_000);
    const again = Promise.all(Array.from({ length: 4 }, () => useSlot(lane, starts)));
    await vi.advanceTimersByTimeAsync(10_000);
    await again;
    expect(starts.slice(7)).toEqual([30_000, 30_000, 30_000, 31_000]);
  });

  it('with a burst, never starts more than a token bucket of that size would accept', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const burst = 4;
    const intervalMs = 700;
    const lane = createLane({ concurrency: 6, minIntervalMs: intervalMs, burst });
    const starts: number[] = [];
    const calls: Promise<void>[] = [];
    for (let call = 0; call < 200; call += 1) {
      calls.push(useSlot(lane, starts, Math.floor(random() * 5_000)));
      await vi.advanceTimersByTimeAsync(Math.floor(random() * 1_200));
    }
    await vi.advanceTimersByTimeAsync(1_000_000);
    await Promise.all(calls);
    // The provider's side: a bucket of `burst` tokens, full at first, one token back per interval.
    let tokens = burst;
    let lastMs = 0;
    for (const startMs of starts) {
      tokens = Math.min(burst, tokens + (startMs - lastMs) / intervalMs);
      lastMs = startMs;
      expect(tokens).toBeGreaterThanOrEqual(1 - 1e-9);
      tokens -= 1;
    }
    expect(starts).toHaveLength(200);
  });

  it('still spaces starts after the concurrency grows', async () => {
    const lane = createLane({ minIntervalMs: 500 });
    await lane.acquire();
    const starts: number[] = [];
    const all = Promise.all([useSlot(lane, starts), useSlot(lane, starts)]);
    lane.setConcurrency(5);
    await vi.advanceTimersByTimeAsync(1_000);
    await all;
    expect(starts).toEqual([500, 1_000]);
  });

  it('rejects invalid options as programmer errors', () => {
    expect(() => createLane({ burst: 0 })).toThrow(RangeError);
    expect(() => createLane({ burst: 1.5 })).toThrow(RangeError);
    expect(() => createLane({ concurrency: 0 })).toThrow(RangeError);
    expect(() => createLane({ concurrency: 1.5 })).toThrow(RangeError);
    expect(() => createLane({ minIntervalMs: -1 })).toThrow(RangeError);
    expect(createLane({ concurrency: undefined }).concurrency).toBe(1);
    expect(createLane({ concurrency: Infinity }).concurrency).toBe(Infinity);
    const lane = createLane();
    expect(() => lane.pauseFor(Number.NaN)).toThrow(RangeError);
    expect(() => lane.setConcurrency(0)).toThrow(RangeError);
  });
});

describe('createLane at run time', () => {
  it('changes the spacing with setMinIntervalMs, measured from the previous start', async () => {
    const lane = createLane({ concurrency: 5, minIntervalMs: 1_000 });
    const starts: number[] = [];
    const all = Promise.all([useSlot(lane, starts), useSlot(lane, starts), useSlot(lane, starts)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(starts).toEqual([0]);
    lane.setMinIntervalMs(200);
    expect(lane.minIntervalMs).toBe(200);
    await vi.advanceTimersByTimeAsync(400);
    await all;
    expect(starts).toEqual([0, 200, 400]);
    expect(() => lane.setMinIntervalMs(-1)).toThrow(RangeError);
  });

  it('accepts how the call ended on release (fixed lanes ignore it)', async () => {
    const lane = createLane({ minIntervalMs: 0 });
    const release = await lane.acquire();
    release({ status: 'failed', error: new Error('boom') });
    expect(lane.inFlight).toBe(0);
  });
});
