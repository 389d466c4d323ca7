import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '@/lib/core';
import { createLane } from './lane';
import { eventsOfType, startBatch } from './testing/batch-harness';
import { createScriptedProvider, fail, scriptedImageBytes, succeed } from './testing/scripted-provider';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const transient = () => new ProviderError('transient', 'socket hang up');
const rateLimited = (retryAfterMs: number) => new ProviderError('rate_limited', 'Too Many Requests', { status: 429, retryAfterMs });

describe('runBatch retries', () => {
  it('retries after the jittered backoff: nothing at delay - 1 ms, the call at delay', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(transient()), fail(transient()), succeed()] } });
    const { events, result } = startBatch({ provider, lane: createLane() });

    // random 0.5: 1000 ms base → 500 fixed + 250 jitter = 750 ms; then 1500 ms.
    await vi.advanceTimersByTimeAsync(749);
    expect(provider.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(provider.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_499);
    expect(provider.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(provider.calls.map((call) => call.startedAtMs)).toEqual([0, 750, 2_250]);

    expect(eventsOfType(events, 'item-retry')).toMatchObject([
      { index: 1, attempt: 1, delayMs: 750, error: { kind: 'transient', details: 'socket hang up' } },
      { index: 1, attempt: 2, delayMs: 1_500 },
    ]);
    expect(eventsOfType(events, 'item-start').map((event) => event.attempt)).toEqual([1, 2, 3]);
    expect(result.value?.items).toEqual([
      { index: 1, status: 'succeeded', attempts: 3, image: { bytes: scriptedImageBytes(1, 3), mimeType: 'image/png' } },
    ]);
  });

  it('honours Retry-After when it is longer than the backoff', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(rateLimited(5_000)), succeed()] } });
    const { events } = startBatch({ provider, lane: createLane() });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(provider.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(provider.calls).toHaveLength(2);
    expect(eventsOfType(events, 'item-retry')).toMatchObject([{ delayMs: 5_000, error: { kind: 'rate_limited', retryAfterMs: 5_000 } }]);
  });

  it('caps Retry-After, and the lane pause, at maxDelayMs', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(rateLimited(120_000)), succeed()] } });
    const lane = createLane();
    const { result } = startBatch({ provider, lane, retryPolicy: { maxDelayMs: 10_000 } });
    await vi.advanceTimersByTimeAsync(0);
    expect(lane.pauseRemainingMs).toBe(10_000);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(provider.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(provider.calls.map((call) => call.startedAtMs)).toEqual([0, 10_000]);
    expect(result.value?.status).toBe('completed');
  });

  it('pauses the whole lane on a rate limit: no other item starts in the window, even with a free slot', async () => {
    const provider = createScriptedProvider({
      script: {
        1: [fail(rateLimited(2_000), { delayMs: 100 }), succeed()],
        2: [succeed({ delayMs: 1_000 })],
        3: [succeed()],
      },
    });
    const { result } = startBatch({ provider, lane: createLane({ concurrency: 2, minIntervalMs: 0 }), count: 3 });

    // Item 1 fails at 100 and frees its slot; item 3 would start then, but the lane is paused until 2100.
    await vi.advanceTimersByTimeAsync(2_099);
    expect(provider.calls.map((call) => call.index)).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(provider.callsFor(3).map((call) => call.startedAtMs)).toEqual([2_100]);
    expect(provider.callsFor(1).map((call) => call.startedAtMs)).toEqual([0, 2_100]);
    expect(result.value?.status).toBe('completed');
  });

  it('pauses the lane on a rate limit with the default pacing, and retries behind the waiting items', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(rateLimited(3_000)), succeed()], 2: [succeed()] } });
    startBatch({ provider, lane: createLane(), count: 2 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(provider.calls.map(({ index, startedAtMs }) => [index, startedAtMs])).toEqual([
      [1, 0],
      [2, 3_000],
      [1, 3_500],
    ]);
  });

  it('pauses the lane on a rate limit even when the item has no attempts left', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(rateLimited(2_000))], 2: [succeed()] } });
    const { result } = startBatch({ provider, lane: createLane(), count: 2, retryPolicy: { maxAttempts: 1 } });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(provider.callsFor(2).map((call) => call.startedAtMs)).toEqual([2_000]);
    expect(result.value?.status).toBe('partial');
  });

  it('says when it stopped because the attempts ran out', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(transient()), fail(transient()), fail(transient())] } });
    const { result } = startBatch({ provider, lane: createLane() });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(provider.calls).toHaveLength(3);
    expect(result.value?.items[0]).toMatchObject({ status: 'failed', attempts: 3, error: { kind: 'transient', retryStop: 'attempts_exhausted' } });
  });

  it('does not retry a permanent failure', async () => {
    const blocked = new ProviderError('safety_blocked', 'blocked', { details: 'IMAGE_SAFETY' });
    const provider = createScriptedProvider({ script: { 1: [fail(blocked)] } });
    const { events, result } = startBatch({ provider, lane: createLane() });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(provider.calls).toHaveLength(1);
    expect(eventsOfType(events, 'item-retry')).toEqual([]);
    expect(result.value?.items).toEqual([
      {
        index: 1,
        status: 'failed',
        attempts: 1,
        // The stored error says why it was not tried again.
        error: { kind: 'safety_blocked', message: 'Blocked by the safety filter', details: 'IMAGE_SAFETY', retryStop: 'not_retryable' },
      },
    ]);
    expect(result.value?.status).toBe('failed');
  });

  it('gives up after maxAttempts (3 by default), reporting the last error', async () => {
    const provider = createScriptedProvider({
      script: { 1: [fail(transient()), fail(transient()), fail(new ProviderError('overloaded', 'busy'))] },
    });
    const { events, result } = startBatch({ provider, lane: createLane() });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(provider.calls).toHaveLength(3);
    expect(eventsOfType(events, 'item-retry')).toHaveLength(2);
    expect(result.value?.items).toMatchObject([{ index: 1, status: 'failed', attempts: 3, error: { kind: 'overloaded' } }]);
  });

  it('fails an unclassified error (a bug) once, as internal', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(new TypeError('undefined is not a function'))] } });
    const { result } = startBatch({ provider, lane: createLane() });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(provider.calls).toHaveLength(1);
    expect(result.value?.items).toMatchObject([
      { status: 'failed', attempts: 1, error: { kind: 'internal', details: 'undefined is not a function' } },
    ]);
  });
});
