import { describe, expect, it } from 'vitest';
import { createRun, type BatchRun, type SlotStatus } from './batch-state';
import { endLabel, progressCounts, progressLabel, progressTone, retryButtonLabel } from './progress-wording';

function runWith(statuses: SlotStatus[], overrides: Partial<BatchRun> = {}): BatchRun {
  const run = createRun({
    clientId: 'batch:b1',
    prompts: ['a fox'],
    imagesPerPrompt: statuses.length,
    aspectRatio: '1:1',
    mode: 'text-to-image',
    provider: { id: 'demo', model: 'demo-shapes-v1', isDemo: true },
    startedAt: 0,
  });
  const slots = run.slots.map((slot, offset) => ({ ...slot, status: statuses[offset]! }));
  const finished = slots.filter((slot) => slot.status !== 'queued' && slot.status !== 'running').length;
  return { ...run, slots, finished, ...overrides };
}

describe('progress of a first run', () => {
  it('counts the whole batch', () => {
    const run = runWith(['succeeded', 'running', 'queued', 'queued']);
    expect(progressCounts(run)).toEqual({ finished: 1, total: 4 });
    expect(progressLabel(run)).toBe('Generating 2/4...');
  });
});

describe('progress of a retry', () => {
  it('counts only the images run again', () => {
    const statuses: SlotStatus[] = ['succeeded', 'succeeded', 'succeeded', 'queued', 'succeeded', 'succeeded', 'succeeded', 'running'];
    const run = runWith(statuses, { retry: { indexes: [4, 8], startedAt: 5 }, finished: 6 });
    expect(progressCounts(run)).toEqual({ finished: 0, total: 2 });
    expect(progressLabel(run)).toBe('Retrying 2 images: 1/2...');
    const half = runWith(['succeeded', 'failed', 'running'], { retry: { indexes: [2, 3], startedAt: 5 } });
    expect(progressLabel(half)).toBe('Retrying 2 images: 2/2...');
  });

  it('says "1 image" for one', () => {
    expect(progressLabel(runWith(['succeeded', 'queued'], { retry: { indexes: [2], startedAt: 5 } }))).toBe('Retrying 1 image: 1/1...');
  });
});

describe('the end line and the bar colour', () => {
  it('an all-failed batch says so, in the error colour', () => {
    const run = runWith(['failed', 'failed', 'failed', 'failed'], { status: 'failed' });
    expect(endLabel(run)).toBe('All 4 images failed');
    expect(progressTone(run)).toBe('failed');
    expect(endLabel(runWith(['failed'], { status: 'failed' }))).toBe('The image failed');
  });

  it('a partial, a complete and a canceled batch keep their lines', () => {
    expect(endLabel(runWith(['succeeded', 'failed'], { status: 'partial' }))).toBe('Done: 1/2 generated, 1 failed');
    expect(progressTone(runWith(['succeeded', 'failed'], { status: 'partial' }))).toBe('normal');
    expect(endLabel(runWith(['succeeded', 'succeeded'], { status: 'completed' }))).toBe('Done: 2/2 generated');
    const canceled = runWith(['succeeded', 'canceled'], { status: 'canceled' });
    expect(endLabel(canceled)).toBe('Canceled: 1/2 generated');
    expect(progressTone(canceled)).toBe('canceled');
  });
});

describe('the retry button', () => {
  it('names failed and canceled images apart', () => {
    expect(retryButtonLabel(runWith(['succeeded', 'failed'], { status: 'partial' }))).toBe('Retry failed (1)');
    expect(retryButtonLabel(runWith(['succeeded', 'canceled', 'canceled'], { status: 'canceled' }))).toBe('Run the rest (2)');
    expect(retryButtonLabel(runWith(['failed', 'canceled', 'canceled'], { status: 'canceled' }))).toBe('Retry 1 failed, run 2 canceled');
    expect(retryButtonLabel(runWith(['succeeded'], { status: 'completed' }))).toBeUndefined();
  });
});
