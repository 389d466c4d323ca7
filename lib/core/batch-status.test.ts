import { describe, expect, it } from 'vitest';
import { batchStatusOf, deriveBatchStatus, estimateRemainingMs } from './batch-status';

const counts = (partial: Partial<Record<'queued' | 'running' | 'succeeded' | 'failed' | 'canceled', number>>) => {
  const full = { queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0, ...partial };
  return { ...full, total: Object.values(full).reduce((sum, count) => sum + count, 0) };
};

describe('deriveBatchStatus', () => {
  it('is queued until an item starts, running until all ended', () => {
    expect(deriveBatchStatus(counts({ queued: 3 }))).toBe('queued');
    expect(deriveBatchStatus(counts({ queued: 2, running: 1 }))).toBe('running');
    expect(deriveBatchStatus(counts({ queued: 2, succeeded: 1 }))).toBe('running');
    expect(deriveBatchStatus(counts({ running: 1, canceled: 2 }))).toBe('running');
  });

  it('names how the batch ended as the engine does', () => {
    expect(deriveBatchStatus(counts({ succeeded: 2 }))).toBe('completed');
    expect(deriveBatchStatus(counts({ failed: 2 }))).toBe('failed');
    expect(deriveBatchStatus(counts({ succeeded: 1, failed: 1 }))).toBe('partial');
    expect(deriveBatchStatus(counts({ succeeded: 1, canceled: 1 }))).toBe('canceled');
    expect(deriveBatchStatus(counts({ failed: 1, canceled: 1 }))).toBe('canceled');
  });
});

describe('batchStatusOf (how a batch of ended items ended)', () => {
  it('any canceled → canceled, all succeeded → completed, none → failed, else partial', () => {
    expect(batchStatusOf([{ status: 'succeeded' }, { status: 'succeeded' }])).toBe('completed');
    expect(batchStatusOf([{ status: 'failed' }, { status: 'failed' }])).toBe('failed');
    expect(batchStatusOf([{ status: 'succeeded' }, { status: 'failed' }])).toBe('partial');
    expect(batchStatusOf([{ status: 'succeeded' }, { status: 'canceled' }])).toBe('canceled');
    expect(batchStatusOf([{ status: 'failed' }, { status: 'canceled' }])).toBe('canceled');
  });
});

describe('estimateRemainingMs', () => {
  it('is null before anything ended, then the average per ended item times those left', () => {
    expect(estimateRemainingMs(0, 0, 4, 1_000)).toBeNull();
    expect(estimateRemainingMs(0, 2, 3, 1_000)).toBe(1_500);
    expect(estimateRemainingMs(0, 2, 0, 1_000)).toBe(0);
  });
});
