import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '@/lib/core';
import { createCostBudget } from './cost-budget';
import { createLane } from './lane';
import { startBatch } from './testing/batch-harness';
import { createScriptedProvider, fail, succeed } from './testing/scripted-provider';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runBatch with a cost cap', () => {
  it('starts only the images that fit under the cap; the rest fail without a call, saying why', async () => {
    const provider = createScriptedProvider({ script: { 1: [succeed()], 2: [succeed()], 3: [succeed()], 4: [succeed()] } });
    const budget = createCostBudget({ limitUsd: 0.1, estimateUsd: 0.04, costOf: () => 0.04 });
    const { result } = startBatch({ provider, lane: createLane({ minIntervalMs: 0 }), count: 4, budget });
    await vi.advanceTimersByTimeAsync(1_000);

    expect(provider.calls).toHaveLength(2);
    expect(result.value?.items.map((item) => item.status)).toEqual(['succeeded', 'succeeded', 'failed', 'failed']);
    expect(result.value?.items[2]).toMatchObject({
      attempts: 0,
      error: { kind: 'cost_limit', message: "Not started: it would pass the batch's cost limit of $0.10" },
    });
    expect(budget.spentUsd).toBeCloseTo(0.08);
  });

  it('counts what the image really cost, and nothing for a failed one', async () => {
    const provider = createScriptedProvider({
      script: { 1: [fail(new ProviderError('safety_blocked', 'no'))], 2: [succeed()], 3: [succeed()], 4: [succeed()] },
    });
    // Estimated 0.05 each; the provider reports images that cost 0.02.
    const budget = createCostBudget({ limitUsd: 0.1, estimateUsd: 0.05, costOf: () => 0.02 });
    const { result } = startBatch({ provider, lane: createLane({ minIntervalMs: 0, concurrency: 1 }), count: 4, budget });
    await vi.advanceTimersByTimeAsync(1_000);
    // 1 failed (free), then 2, 3 and 4 at 0.02 each: all fit.
    expect(result.value?.items.map((item) => item.status)).toEqual(['failed', 'succeeded', 'succeeded', 'succeeded']);
    expect(budget.spentUsd).toBeCloseTo(0.06);
  });

  it('counts what earlier runs of the batch spent', () => {
    const budget = createCostBudget({ limitUsd: 0.1, estimateUsd: 0.04, spentUsd: 0.08, costOf: () => undefined });
    expect(budget.tryReserve()).toBe(false);
  });
});
