import { describe, expect, it } from 'vitest';
import type { ItemProgressEvent } from '@/lib/core';
import { createItemProgressReporter } from './item-progress-reporter';

function reporterAt(clock: { ms: number }, minIntervalMs = 250) {
  const sent: ItemProgressEvent[] = [];
  const report = createItemProgressReporter({ batchId: 'b1', index: 3, publish: (progress) => sent.push(progress), minIntervalMs, now: () => clock.ms });
  return { sent, report };
}

describe('createItemProgressReporter', () => {
  it('sends the first step as an item-progress event of its batch and index', () => {
    const clock = { ms: 0 };
    const { sent, report } = reporterAt(clock);
    report({ step: 1, totalSteps: 20 });
    expect(sent).toEqual([{ type: 'item-progress', batchId: 'b1', index: 3, step: 1, totalSteps: 20 }]);
  });

  it('drops steps closer than the interval to the last one sent, but never the final step', () => {
    const clock = { ms: 0 };
    const { sent, report } = reporterAt(clock);
    report({ step: 1, totalSteps: 4 });
    clock.ms = 100;
    report({ step: 2, totalSteps: 4 });
    clock.ms = 200;
    report({ step: 4, totalSteps: 4 });
    clock.ms = 300;
    expect(sent.map((progress) => progress.step)).toEqual([1, 4]);
  });

  it('sends a step once the interval has passed', () => {
    const clock = { ms: 0 };
    const { sent, report } = reporterAt(clock);
    report({ step: 1, totalSteps: 30 });
    clock.ms = 249;
    report({ step: 2, totalSteps: 30 });
    clock.ms = 250;
    report({ step: 3, totalSteps: 30 });
    expect(sent.map((progress) => progress.step)).toEqual([1, 3]);
  });

  it('drops a repeat of the step last sent', () => {
    const clock = { ms: 0 };
    const { sent, report } = reporterAt(clock);
    report({ step: 5, totalSteps: 5 });
    clock.ms = 1_000;
    report({ step: 5, totalSteps: 5 });
    expect(sent).toHaveLength(1);
  });

  it('sends at once when the total changes (a second sampler pass, a hires fix)', () => {
    const clock = { ms: 0 };
    const { sent, report } = reporterAt(clock);
    report({ step: 20, totalSteps: 20 });
    clock.ms = 10;
    report({ step: 1, totalSteps: 10 });
    expect(sent.map((progress) => [progress.step, progress.totalSteps])).toEqual([
      [20, 20],
      [1, 10],
    ]);
  });

  it.each([
    { step: 21, totalSteps: 20 },
    { step: -1, totalSteps: 20 },
    { step: 1.5, totalSteps: 20 },
    { step: 0, totalSteps: 0 },
    { step: Number.NaN, totalSteps: 20 },
  ])('drops nonsense from a provider: $step of $totalSteps', (progress) => {
    const { sent, report } = reporterAt({ ms: 0 });
    report(progress);
    expect(sent).toEqual([]);
  });
});
