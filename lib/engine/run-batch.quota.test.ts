import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '@/lib/core';
import { createLane } from './lane';
import { exhaustedQuotaRecheckMs } from './run-item';
import { startBatch } from './testing/batch-harness';
import { createScriptedProvider, fail, succeed } from './testing/scripted-provider';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const dailyQuota = (resetsAtMs?: number) =>
  new ProviderError('quota_exhausted', 'Gemini API error 429 RESOURCE_EXHAUSTED', {
    status: 429,
    details: 'per-day quota',
    ...(resetsAtMs === undefined ? {} : { resetsAtMs }),
  });

describe('runBatch when the provider says its quota is used up', () => {
  it('makes no more calls: the rest of the batch fails at once with the same reason, when it resets', async () => {
    const provider = createScriptedProvider({ script: { 1: [fail(dailyQuota(3_600_000))] } });
    const { result } = startBatch({ provider, lane: createLane(), count: 4 });
    await vi.advanceTimersByTimeAsync(10_000);

    expect(provider.calls).toHaveLength(1);
    expect(result.value?.status).toBe('failed');
    expect(result.value?.items.map((item) => item.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    for (const item of result.value!.items) {
      expect(item).toMatchObject({
        status: 'failed',
        error: { kind: 'quota_exhausted', message: "The provider's quota is used up until 1970-01-01T01:00:00.000Z" },
      });
    }
    // Items 2-4 never reached the provider.
    expect(result.value?.items.map((item) => item.attempts)).toEqual([1, 0, 0, 0]);
  });

  it('sends again once the quota is back (the stated reset, else the recheck time)', async () => {
    const lane = createLane({ minIntervalMs: 0 });
    const first = createScriptedProvider({ script: { 1: [fail(dailyQuota())] } });
    startBatch({ provider: first, lane, count: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(lane.closedBy?.kind).toBe('quota_exhausted');

    const second = createScriptedProvider({ script: { 1: [succeed()] } });
    const early = startBatch({ provider: second, lane, count: 1 });
    await vi.advanceTimersByTimeAsync(exhaustedQuotaRecheckMs - 10);
    expect(second.calls).toHaveLength(0);
    expect(early.result.value?.status).toBe('failed');

    await vi.advanceTimersByTimeAsync(10);
    const later = startBatch({ provider: second, lane, count: 1 });
    await vi.advanceTimersByTimeAsync(1);
    expect(second.calls).toHaveLength(1);
    expect(later.result.value?.status).toBe('completed');
  });
});
