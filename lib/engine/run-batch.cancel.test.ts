import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '@/lib/core';
import { createLane } from './lane';
import { eventsOfType, startBatch } from './testing/batch-harness';
import { createScriptedProvider, fail, hang, scriptEvery, scriptedImageBytes, succeed } from './testing/scripted-provider';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runBatch cancel', () => {
  it('stops calling the provider, cancels the in-flight and waiting items, keeps the images made', async () => {
    const provider = createScriptedProvider({ script: { 1: [succeed({ delayMs: 200 })], 2: [hang()] } });
    const lane = createLane();
    const controller = new AbortController();
    const { events, result } = startBatch({ provider, lane, count: 4, signal: controller.signal });

    await vi.advanceTimersByTimeAsync(600);
    expect(provider.calls.map((call) => call.index)).toEqual([1, 2]);
    controller.abort();
    await vi.advanceTimersByTimeAsync(60_000);

    expect(provider.calls).toHaveLength(2);
    expect(provider.callsFor(2)[0].signal?.aborted).toBe(true);
    expect(result.value).toEqual({
      batchId: 'batch-1',
      status: 'canceled',
      items: [
        { index: 1, status: 'succeeded', attempts: 1, image: { bytes: scriptedImageBytes(1, 1), mimeType: 'image/png' } },
        { index: 2, status: 'canceled', attempts: 1 },
        { index: 3, status: 'canceled', attempts: 0 },
        { index: 4, status: 'canceled', attempts: 0 },
      ],
    });
    expect(eventsOfType(events, 'item-end').map((event) => [event.index, event.outcome.status])).toEqual([
      [1, 'succeeded'],
      [3, 'canceled'],
      [4, 'canceled'],
      [2, 'canceled'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'batch-end', status: 'canceled', completed: 1, failed: 0 });
    expect([lane.inFlight, lane.waiting]).toEqual([0, 0]);
  });

  it('keeps an image that an in-flight call still returned after the abort', async () => {
    const provider = createScriptedProvider({ script: { 1: [succeed({ delayMs: 1_000, isIgnoringAbort: true })] } });
    const controller = new AbortController();
    const { result } = startBatch({ provider, lane: createLane(), count: 2, signal: controller.signal });
    await vi.advanceTimersByTimeAsync(300);
    controller.abort();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(result.value?.items).toMatchObject([
      { index: 1, status: 'succeeded', attempts: 1 },
      { index: 2, status: 'canceled', attempts: 0 },
    ]);
    expect(result.value?.status).toBe('canceled');
    expect(provider.calls).toHaveLength(1);
  });

  it('cancels an item sleeping before its retry, at once', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(new ProviderError('overloaded', 'busy'))] } });
    const controller = new AbortController();
    const { result } = startBatch({ provider, lane: createLane(), signal: controller.signal });
    await vi.advanceTimersByTimeAsync(300);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(result.value).toMatchObject({ status: 'canceled', items: [{ index: 1, status: 'canceled', attempts: 1 }] });
    expect(provider.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('makes no call at all when the signal is already aborted', async () => {
    const provider = createScriptedProvider({ script: {} });
    const { events, result } = startBatch({ provider, lane: createLane(), count: 2, signal: AbortSignal.abort() });
    await vi.advanceTimersByTimeAsync(0);
    expect(result.value?.status).toBe('canceled');
    expect(events.map((event) => event.type)).toEqual(['batch-start', 'item-end', 'item-end', 'batch-end']);
  });

  it('leaves other batches on the same lane running', async () => {
    const lane = createLane();
    const canceledProvider = createScriptedProvider({ script: { 1: [succeed({ delayMs: 100 })] }, id: 'canceled' });
    const runningProvider = createScriptedProvider({ script: scriptEvery(2, [succeed({ delayMs: 100 })]), id: 'running' });
    const controller = new AbortController();
    const canceled = startBatch({ provider: canceledProvider, lane, count: 3, signal: controller.signal, batchId: 'a' });
    const running = startBatch({ provider: runningProvider, lane, count: 2, batchId: 'b' });
    await vi.advanceTimersByTimeAsync(200);
    controller.abort();
    await vi.advanceTimersByTimeAsync(10_000);

    expect(canceled.result.value?.status).toBe('canceled');
    expect(running.result.value?.status).toBe('completed');
    // Batch b's items took the places that a's canceled items left in the queue.
    expect(runningProvider.calls.map((call) => call.startedAtMs)).toEqual([500, 1_000]);
  });
});
