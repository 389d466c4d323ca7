import { describe, expect, it } from 'vitest';
import { deriveBatchStatus } from './derive-batch-status';

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
