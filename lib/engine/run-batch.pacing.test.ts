import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLane } from './lane';
import { startBatch } from './testing/batch-harness';
import { createInFlightMeter, createScriptedProvider, scriptEvery, succeed } from './testing/scripted-provider';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const startTimes = (provider: { calls: readonly { startedAtMs: number }[] }) => provider.calls.map((call) => call.startedAtMs);

describe('runBatch pacing', () => {
  it('by default is the seed’s: one at a time, 500 ms between request starts', async () => {
    const provider = createScriptedProvider({ script: scriptEvery(4, [succeed({ delayMs: 100 })]) });
    const { result } = startBatch({ provider, lane: createLane(), count: 4 });

    await vi.advanceTimersByTimeAsync(1_499);
    expect(startTimes(provider)).toEqual([0, 500, 1_000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(startTimes(provider)).toEqual([0, 500, 1_000, 1_500]);
    await vi.advanceTimersByTimeAsync(100);

    expect(result.value?.status).toBe('completed');
    expect(provider.inFlight.max).toBe(1);
  });

  it('spaces starts, not ends, when calls are slower than the interval', async () => {
    const provider = createScriptedProvider({ script: scriptEvery(3, [succeed({ delayMs: 800 })]) });
    const { result } = startBatch({ provider, lane: createLane(), count: 3 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(startTimes(provider)).toEqual([0, 800, 1_600]);
    expect(provider.inFlight.max).toBe(1);
    expect(result.value?.status).toBe('completed');
  });

  it('runs up to the concurrency at once, still spacing starts by the interval', async () => {
    const provider = createScriptedProvider({ script: scriptEvery(4, [succeed({ delayMs: 2_000 })]) });
    const { result } = startBatch({ provider, lane: createLane({ concurrency: 2, minIntervalMs: 500 }), count: 4 });
    await vi.advanceTimersByTimeAsync(10_000);
    // 1 and 2 fill both slots; 3 waits for 1 to end at 2000, 4 for 2 at 2500.
    expect(startTimes(provider)).toEqual([0, 500, 2_000, 2_500]);
    expect(provider.inFlight.max).toBe(2);
    expect(result.value?.status).toBe('completed');
  });

  it('never exceeds the lane’s concurrency across two batches sharing it', async () => {
    const lane = createLane({ concurrency: 2, minIntervalMs: 100 });
    const meter = createInFlightMeter();
    const first = createScriptedProvider({ script: scriptEvery(4, [succeed({ delayMs: 300 })]), inFlightMeter: meter, id: 'first' });
    const second = createScriptedProvider({ script: scriptEvery(4, [succeed({ delayMs: 250 })]), inFlightMeter: meter, id: 'second' });
    const batches = [
      startBatch({ provider: first, lane, count: 4, batchId: 'a' }),
      startBatch({ provider: second, lane, count: 4, batchId: 'b' }),
    ];

    await vi.advanceTimersByTimeAsync(10_000);

    expect(meter.max).toBe(2);
    expect(batches.map((batch) => batch.result.value?.status)).toEqual(['completed', 'completed']);
    const starts = [...startTimes(first), ...startTimes(second)].sort((left, right) => left - right);
    expect(starts).toHaveLength(8);
    for (let position = 1; position < starts.length; position += 1) {
      expect(starts[position] - starts[position - 1]).toBeGreaterThanOrEqual(100);
    }
    expect(lane.inFlight).toBe(0);
  });
});
