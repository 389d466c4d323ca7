import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '@/lib/core';
import { createLane, resolveRetryPolicy, runItem, type EngineEventBody } from '.';
import { trackPromise } from './testing/track-promise';
import { createScriptedProvider, fail, hang, scriptedImageBytes, succeed } from './testing/scripted-provider';

// runItem is the engine's one-image path, exported for the durable queue (one item at a time, outside runBatch).
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const policy = resolveRetryPolicy({ maxAttempts: 3, baseDelayMs: 1_000 });

describe('runItem (engine front door)', () => {
  it('retries a retryable error through the lane, emits start/retry, resolves the image', async () => {
    const provider = createScriptedProvider({
      script: { 7: [fail(new ProviderError('overloaded', 'busy')), succeed()] },
    });
    const emitted: EngineEventBody[] = [];
    const outcome = trackPromise(
      runItem({
        request: { prompt: 'a fox', index: 7 },
        provider,
        lane: createLane({ minIntervalMs: 0 }),
        policy,
        random: () => 0.5,
        emit: (body) => emitted.push(body),
      }),
    );
    await vi.advanceTimersByTimeAsync(749);
    expect(provider.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome.value).toEqual({ status: 'succeeded', attempts: 2, image: { bytes: scriptedImageBytes(7, 2), mimeType: 'image/png' } });
    expect(emitted.map((body) => [body.type, 'attempt' in body ? body.attempt : undefined])).toEqual([
      ['item-start', 1],
      ['item-retry', 1],
      ['item-start', 2],
    ]);
  });

  it('ends canceled when its signal aborts mid-call, and gives the lane slot back', async () => {
    const provider = createScriptedProvider({ script: { 1: [hang()] } });
    const lane = createLane({ minIntervalMs: 0 });
    const controller = new AbortController();
    const outcome = trackPromise(runItem({ request: { prompt: 'p', index: 1 }, provider, lane, policy, signal: controller.signal, emit: () => {} }));
    await vi.advanceTimersByTimeAsync(10);
    expect(lane.inFlight).toBe(1);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome.value).toEqual({ status: 'canceled', attempts: 1 });
    expect(lane.inFlight).toBe(0);
  });
});
