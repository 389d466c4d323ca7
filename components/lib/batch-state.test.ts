import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@/lib/core/events';
import { applyItemProgress, applyProgressEvent, createRun, describeOutcome, promptOfIndex, type BatchRun } from './batch-state';
import { endLabel, progressLabel } from './progress-wording';

const counters = { batchId: 'b1', total: 4, etaMs: null };
let sequence = 0;
const next = () => (sequence += 1);

function newRun(numberOfImages = 4): BatchRun {
  sequence = 0;
  return createRun({
    clientId: 'c1',
    prompts: ['a lighthouse'],
    imagesPerPrompt: numberOfImages,
    aspectRatio: '1:1',
    mode: 'text-to-image',
    provider: { id: 'demo', model: 'demo-shapes-v1', isDemo: true },
    startedAt: 0,
  });
}

function apply(run: BatchRun, ...events: ProgressEvent[]): BatchRun {
  return events.reduce((current, event) => applyProgressEvent(current, event, 1000, { url: `blob:${event.sequence}`, mimeType: 'image/png' }), run);
}

const start = (): ProgressEvent => ({ type: 'batch-start', ...counters, sequence: next(), completed: 0, failed: 0, provider: 'demo', model: 'm', isDemo: true, mode: 'text-to-image' });
const itemStart = (index: number, completed: number, failed = 0): ProgressEvent => ({ type: 'item-start', ...counters, sequence: next(), completed, failed, index, attempt: 1 });
const succeeded = (index: number, completed: number, failed = 0): ProgressEvent => ({
  type: 'item-end', ...counters, sequence: next(), completed, failed, etaMs: 500, index, status: 'succeeded', data: 'AA==', mimeType: 'image/png',
});
const failedItem = (index: number, completed: number, failed: number): ProgressEvent => ({
  type: 'item-end', ...counters, sequence: next(), completed, failed, etaMs: 500, index, status: 'failed', kind: 'safety_blocked', error: 'Blocked by the safety filter', details: 'injected',
});

describe('batch state from progress events', () => {
  it('says "Generating X/Y..." with X the image being worked on, capped at Y', () => {
    let run = apply(newRun(), start(), itemStart(1, 0));
    expect(progressLabel(run)).toBe('Generating 1/4...');
    run = apply(run, succeeded(1, 1), itemStart(2, 1), succeeded(2, 2), itemStart(3, 2), succeeded(3, 3), itemStart(4, 3));
    expect(progressLabel(run)).toBe('Generating 4/4...');
    run = apply(run, succeeded(4, 4));
    expect(progressLabel(run)).toBe('Generating 4/4...');
  });

  it('never moves the progress back: stale, repeated and out-of-order events are ignored', () => {
    let run = newRun();
    const early = succeeded(1, 1);
    run = apply(run, start(), early, itemStart(2, 1), succeeded(2, 2));
    expect(run.finished).toBe(2);
    run = apply(run, early);
    expect(run.finished).toBe(2);
    run = applyProgressEvent(run, { ...itemStart(3, 0), sequence: 100 }, 0);
    expect(run.finished).toBe(2);
    expect(run.slots[1]?.status).toBe('succeeded');
  });

  it('ignores events of another batch', () => {
    const run = apply(newRun(), start());
    const other = applyProgressEvent(run, { ...succeeded(1, 1), batchId: 'other' }, 0);
    expect(other).toBe(run);
  });

  it('reaches the total only with the last item, and ends with batch-end', () => {
    let run = apply(newRun(2), { ...start(), total: 2 }, { ...succeeded(1, 1), total: 2 });
    expect(run.finished).toBe(1);
    expect(run.status).toBe('running');
    run = apply(run, { ...failedItem(2, 1, 1), total: 2 });
    run = apply(run, {
      type: 'batch-end', ...counters, total: 2, sequence: next(), completed: 1, failed: 1, status: 'partial',
      result: { images: [{ data: 'AA==', mimeType: 'image/png' }], success: 1, failed: 1, errors: [{ index: 2, error: 'Blocked by the safety filter', details: 'injected' }] },
    });
    expect(run.status).toBe('partial');
    expect(run.finished).toBe(2);
    expect(run.endedAt).toBe(1000);
  });

  it('shows a retry wait on the slot until the item starts again', () => {
    let run = apply(newRun(), start(), itemStart(1, 0));
    run = apply(run, { type: 'item-retry', ...counters, sequence: next(), completed: 0, failed: 0, index: 1, attempt: 1, delayMs: 3000, kind: 'rate_limited', error: 'Rate limited by the provider' });
    expect(run.slots[0]?.retry).toEqual({ delayMs: 3000, receivedAt: 1000, reason: 'Rate limited by the provider' });
    run = apply(run, { ...itemStart(1, 0), attempt: 2 } as ProgressEvent);
    expect(run.slots[0]?.retry).toBeUndefined();
    expect(run.slots[0]?.attempt).toBe(2);
  });

  it('describes a partial batch with the seed sentence and names the failed images', () => {
    const run = apply(newRun(), start(), succeeded(1, 1), failedItem(2, 1, 1), succeeded(3, 2, 1), succeeded(4, 3, 1), {
      type: 'batch-end', ...counters, sequence: next(), completed: 3, failed: 1, status: 'partial',
      result: { images: [], success: 3, failed: 1 },
    });
    expect(describeOutcome(run)).toEqual({
      tone: 'warning',
      title: 'Successfully generated 3 of 4 images. 1 failed.',
      description: 'Failed: image 2 (Blocked by the safety filter)',
    });
  });

  it('describes success and total failure', () => {
    const ok = apply(newRun(), start(), succeeded(1, 1), succeeded(2, 2), succeeded(3, 3), succeeded(4, 4), {
      type: 'batch-end', ...counters, sequence: next(), completed: 4, failed: 0, status: 'completed', result: { images: [], success: 4, failed: 0 },
    });
    expect(describeOutcome(ok)).toEqual({ tone: 'success', title: 'Successfully generated 4 images.' });

    const bad = apply(newRun(2), { ...start(), total: 2 }, { ...failedItem(1, 0, 1), total: 2 }, { ...failedItem(2, 0, 2), total: 2 }, {
      type: 'batch-end', ...counters, total: 2, sequence: next(), completed: 0, failed: 2, status: 'failed',
      result: { error: 'All image generations failed', details: [] },
    });
    expect(describeOutcome(bad)).toEqual({
      tone: 'error',
      title: 'All 2 images failed.',
      description: 'Failed: image 1 (Blocked by the safety filter), image 2 (Blocked by the safety filter)',
    });
  });

  it('a canceled batch keeps its images; what had not finished is canceled', () => {
    const run = apply(newRun(), start(), succeeded(1, 1), itemStart(2, 1), {
      type: 'batch-end', ...counters, sequence: next(), completed: 1, failed: 0, status: 'canceled',
    });
    expect(run.slots.map((slot) => slot.status)).toEqual(['succeeded', 'canceled', 'canceled', 'canceled']);
    expect(run.finished).toBe(1);
    expect(endLabel(run)).toBe('Canceled: 1/4 generated');
    expect(describeOutcome(run).title).toBe('Canceled. Generated 1 of 4 images.');
  });
});

describe('a batch of several prompts', () => {
  it('gives each image its prompt, prompt 1’s images first', () => {
    const run = createRun({
      clientId: 'c2',
      prompts: ['a red fox', 'a blue whale', 'a green frog'],
      imagesPerPrompt: 2,
      aspectRatio: '1:1',
      mode: 'text-to-image',
      provider: { id: 'demo', model: 'demo-shapes-v1', isDemo: true },
      startedAt: 0,
    });
    expect(run.prompt).toBe('a red fox');
    expect(run.slots.map((slot) => slot.prompt)).toEqual(['a red fox', 'a red fox', 'a blue whale', 'a blue whale', 'a green frog', 'a green frog']);
    expect(promptOfIndex(['a', 'b'], 2, 2)).toBe('b');
  });
});

describe('step progress of a running image', () => {
  const step = (index: number, value: number, totalSteps = 20) => ({ type: 'item-progress' as const, batchId: 'b1', index, step: value, totalSteps });
  const slotOf = (run: BatchRun, index: number) => run.slots.find((slot) => slot.index === index)!;

  it('shows on the running tile, and goes when the image ends', () => {
    let run = apply(newRun(), start(), itemStart(1, 0));
    run = applyItemProgress(run, step(1, 7));
    expect(slotOf(run, 1).progress).toEqual({ step: 7, totalSteps: 20 });
    run = apply(run, succeeded(1, 1));
    expect(slotOf(run, 1).progress).toBeUndefined();
  });

  it('is dropped for a tile that is not running (queued, ended, or waiting for a retry) and for another batch', () => {
    let run = apply(newRun(), start(), itemStart(1, 0));
    expect(applyItemProgress(run, step(2, 3))).toBe(run);
    expect(applyItemProgress(run, { ...step(1, 3), batchId: 'other' })).toBe(run);
    run = apply(run, { type: 'item-retry', ...counters, sequence: next(), completed: 0, failed: 0, index: 1, attempt: 1, delayMs: 1000, kind: 'transient', error: 'busy' });
    expect(applyItemProgress(run, step(1, 3))).toBe(run);
    run = apply(run, failedItem(1, 0, 1));
    expect(applyItemProgress(run, step(1, 3))).toBe(run);
  });

  it('a retried call starts again without its old step', () => {
    let run = apply(newRun(), start(), itemStart(1, 0));
    run = applyItemProgress(run, step(1, 12));
    run = apply(run, { type: 'item-retry', ...counters, sequence: next(), completed: 0, failed: 0, index: 1, attempt: 1, delayMs: 1000, kind: 'transient', error: 'busy' });
    expect(slotOf(run, 1).progress).toBeUndefined();
  });
});
