import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError, type EngineEvent } from '@/lib/core';
import { createLane } from './lane';
import { runBatch } from './run-batch';
import { eventsOfType, requestsFor, startBatch } from './testing/batch-harness';
import { createScriptedProvider, fail, scriptEvery, scriptedImageBytes, succeed } from './testing/scripted-provider';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const blocked = new ProviderError('safety_blocked', 'blocked', { details: 'IMAGE_SAFETY' });
const rejected = new ProviderError('invalid_request', 'bad', { status: 400, details: 'prompt too long' });

describe('runBatch bookkeeping', () => {
  it('keeps every outcome by its 1-based index, with failures in the middle', async () => {
    const provider = createScriptedProvider({
      script: { ...scriptEvery(5, [succeed({ delayMs: 100 })]), 2: [fail(blocked, { delayMs: 100 })], 4: [fail(rejected, { delayMs: 100 })] },
    });
    const { result } = startBatch({ provider, lane: createLane(), count: 5 });
    await vi.advanceTimersByTimeAsync(10_000);

    expect(result.value).toEqual({
      batchId: 'batch-1',
      status: 'partial',
      items: [
        { index: 1, status: 'succeeded', attempts: 1, image: { bytes: scriptedImageBytes(1, 1), mimeType: 'image/png' } },
        { index: 2, status: 'failed', attempts: 1, error: { kind: 'safety_blocked', message: 'Blocked by the safety filter', details: 'IMAGE_SAFETY', retryStop: 'not_retryable' } },
        { index: 3, status: 'succeeded', attempts: 1, image: { bytes: scriptedImageBytes(3, 1), mimeType: 'image/png' } },
        { index: 4, status: 'failed', attempts: 1, error: { kind: 'invalid_request', message: 'The provider rejected the request', details: 'prompt too long', retryStop: 'not_retryable' } },
        { index: 5, status: 'succeeded', attempts: 1, image: { bytes: scriptedImageBytes(5, 1), mimeType: 'image/png' } },
      ],
    });
  });

  it('emits batch-start, item events and batch-end with strictly increasing sequence and running counters', async () => {
    const provider = createScriptedProvider({
      script: { ...scriptEvery(3, [succeed({ delayMs: 100 })]), 2: [fail(blocked, { delayMs: 100 })] },
    });
    const { events } = startBatch({ provider, lane: createLane(), count: 3 });
    await vi.advanceTimersByTimeAsync(10_000);

    const summary = events.map((event) => [event.type, 'index' in event ? event.index : null, event.completed, event.failed]);
    expect(summary).toEqual([
      ['batch-start', null, 0, 0],
      ['item-start', 1, 0, 0],
      ['item-end', 1, 1, 0],
      ['item-start', 2, 1, 0],
      ['item-end', 2, 1, 1],
      ['item-start', 3, 1, 1],
      ['item-end', 3, 2, 1],
      ['batch-end', null, 2, 1],
    ]);
    expect(events.map((event) => event.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(events.every((event) => event.batchId === 'batch-1' && event.total === 3)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'batch-end', status: 'partial', etaMs: 0 });
  });

  it('estimates the time left once one item has ended: average time per ended item × items left', async () => {
    const provider = createScriptedProvider({ script: scriptEvery(3, [succeed({ delayMs: 100 })]) });
    const { events } = startBatch({ provider, lane: createLane(), count: 3 });
    await vi.advanceTimersByTimeAsync(10_000);
    // Ends at 100, 600, 1100 ms.
    expect(events.map((event) => [event.type, event.etaMs])).toEqual([
      ['batch-start', null],
      ['item-start', null],
      ['item-end', 200], // at 100 ms: 100 / 1 ended × 2 left
      ['item-start', 1_000], // at 500 ms: 500 / 1 × 2
      ['item-end', 300], // at 600 ms: 600 / 2 × 1
      ['item-start', 500], // at 1000 ms: 1000 / 2 × 1
      ['item-end', 0],
      ['batch-end', 0],
    ]);
  });

  it('emits item-start after the slot is granted and before the provider is called', async () => {
    const provider = createScriptedProvider({ script: scriptEvery(2, [succeed()]) });
    const callsAtItemStart: number[] = [];
    startBatch({
      provider,
      lane: createLane(),
      count: 2,
      onEvent: (event) => {
        if (event.type === 'item-start') callsAtItemStart.push(provider.calls.length);
      },
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(callsAtItemStart).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(callsAtItemStart).toEqual([0, 1]);
  });

  it('ends completed when every image succeeds and failed when every image fails', async () => {
    const succeeding = createScriptedProvider({ script: scriptEvery(2, [succeed()]) });
    const failing = createScriptedProvider({ script: scriptEvery(2, [fail(blocked)]) });
    const completed = startBatch({ provider: succeeding, lane: createLane(), count: 2 });
    const failed = startBatch({ provider: failing, lane: createLane(), count: 2 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(completed.result.value?.status).toBe('completed');
    expect(failed.result.value?.status).toBe('failed');
    expect(eventsOfType(failed.events, 'batch-end')).toMatchObject([{ status: 'failed', completed: 0, failed: 2 }]);
  });

  it('sorts the items by index whatever the order of the requests', async () => {
    const provider = createScriptedProvider({ script: { 2: [succeed()], 5: [succeed()], 3: [succeed()] } });
    const requests = [5, 2, 3].map((index) => ({ prompt: 'p', index }));
    const { result } = startBatch({ provider, lane: createLane({ minIntervalMs: 0 }), requests });
    await vi.advanceTimersByTimeAsync(0);
    expect(result.value?.items.map((item) => item.index)).toEqual([2, 3, 5]);
  });

  it('goes on when a listener throws or rejects', async () => {
    const provider = createScriptedProvider({ script: scriptEvery(3, [succeed()]) });
    const throwing = startBatch({
      provider,
      lane: createLane({ minIntervalMs: 0 }),
      count: 3,
      onEvent: () => {
        throw new Error('stream closed');
      },
    });
    const otherProvider = createScriptedProvider({ script: scriptEvery(1, [succeed()]) });
    const rejecting = startBatch({
      provider: otherProvider,
      lane: createLane({ minIntervalMs: 0 }),
      onEvent: (async () => {
        throw new Error('async listener');
      }) as (event: EngineEvent) => void,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(throwing.result.value?.status).toBe('completed');
    expect(rejecting.result.value?.status).toBe('completed');
  });

  it('rejects programmer errors before calling the provider', async () => {
    const provider = createScriptedProvider({ script: {} });
    const lane = createLane();
    const run = (requests: { prompt: string; index: number }[], batchId = 'b') => runBatch({ batchId, provider, lane, requests });
    await expect(run([])).rejects.toThrow(RangeError);
    await expect(run([{ prompt: 'p', index: 1 }, { prompt: 'p', index: 1 }])).rejects.toThrow('Duplicate request index 1');
    await expect(run([{ prompt: 'p', index: 0 }])).rejects.toThrow(RangeError);
    await expect(run(requestsFor(1), '')).rejects.toThrow(TypeError);
    await expect(runBatch({ batchId: 'b', provider, lane, requests: requestsFor(1), retryPolicy: { maxAttempts: 0 } })).rejects.toThrow(
      RangeError,
    );
    expect(provider.calls).toHaveLength(0);
  });
});
