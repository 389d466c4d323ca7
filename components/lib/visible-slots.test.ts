import { describe, expect, it } from 'vitest';
import { createRun, type BatchRun, type SlotStatus } from './batch-state';
import { describeStrip, stripCounts, visibleSlots } from './visible-slots';

function runWith(statuses: SlotStatus[], status: BatchRun['status'] = 'running'): BatchRun {
  const run = createRun({
    clientId: 'batch:b1',
    prompts: ['a fox'],
    imagesPerPrompt: statuses.length,
    aspectRatio: '1:1',
    mode: 'text-to-image',
    provider: { id: 'demo', model: 'demo-shapes-v1', isDemo: true },
    startedAt: 0,
  });
  return { ...run, status, slots: run.slots.map((slot, offset) => ({ ...slot, status: statuses[offset]! })) };
}

describe('visibleSlots', () => {
  it('a running batch of 50 shows what ended, what runs and the next 4 queued', () => {
    const statuses: SlotStatus[] = ['succeeded', 'failed', 'running', ...Array<SlotStatus>(47).fill('queued')];
    const { slots, hiddenQueued } = visibleSlots(runWith(statuses));
    expect(slots.map((slot) => slot.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(hiddenQueued).toBe(43);
    expect(describeStrip(stripCounts(runWith(statuses)), hiddenQueued)).toBe('2 of 50 done · 1 failed · 1 running · 43 more queued');
  });

  it('a small batch shows every slot', () => {
    expect(visibleSlots(runWith(['running', 'queued', 'queued', 'queued'])).slots).toHaveLength(4);
  });

  it('an ended batch shows every slot, up to 4 canceled ones too', () => {
    const { slots, hiddenQueued, canceledTogether } = visibleSlots(runWith(['succeeded', 'failed', ...Array<SlotStatus>(4).fill('canceled')], 'canceled'));
    expect(slots).toHaveLength(6);
    expect(hiddenQueued).toBe(0);
    expect(canceledTogether).toBe(0);
  });

  it('more canceled images than 4 become one tile: the made and failed ones stay, in order', () => {
    const statuses: SlotStatus[] = ['succeeded', 'canceled', 'failed', ...Array<SlotStatus>(95).fill('canceled'), 'succeeded'];
    const { slots, canceledTogether } = visibleSlots(runWith(statuses, 'canceled'));
    expect(slots.map((slot) => [slot.index, slot.status])).toEqual([
      [1, 'succeeded'],
      [3, 'failed'],
      [99, 'succeeded'],
    ]);
    expect(canceledTogether).toBe(96);
  });
});
