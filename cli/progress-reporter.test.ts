import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@/lib/core';
import { createProgressReporter, formatDuration } from './progress-reporter';

const counters = { batchId: 'b1', total: 4, etaMs: null };

function fakeStream(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number; cursorTo?: unknown; clearLine?: unknown; moveCursor?: unknown };
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
  if (isTTY) {
    stream.isTTY = true;
    stream.columns = 120;
    stream.cursorTo = (_x: number, _y?: number, callback?: () => void) => callback?.() ?? true;
    stream.clearLine = (_direction: number, callback?: () => void) => callback?.() ?? true;
    stream.moveCursor = (_x: number, _y: number, callback?: () => void) => callback?.() ?? true;
  }
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => written };
}

const events: ProgressEvent[] = [
  { type: 'item-start', ...counters, sequence: 2, completed: 0, failed: 0, index: 1, attempt: 1 },
  { type: 'item-retry', ...counters, sequence: 3, completed: 0, failed: 0, index: 1, attempt: 1, delayMs: 1500, kind: 'rate_limited', error: 'Too many requests' },
  { type: 'item-end', ...counters, sequence: 4, completed: 1, failed: 0, etaMs: 65_000, index: 1, status: 'succeeded', imageId: 'i.png' },
  { type: 'item-end', ...counters, sequence: 5, completed: 1, failed: 1, etaMs: 30_000, index: 2, status: 'failed', kind: 'safety_blocked', error: 'Blocked' },
  { type: 'item-end', ...counters, sequence: 6, completed: 1, failed: 2, etaMs: 0, index: 3, status: 'canceled' },
];

describe('progress on stderr', () => {
  it('without a terminal: one plain line per retry, failure, cancel and saved image, with the ETA', async () => {
    const { stream, written } = fakeStream(false);
    const reporter = createProgressReporter(stream, { total: 4, completed: 0, failed: 0, etaMs: null });
    reporter.update(events[0]!);
    reporter.update(events[1]!);
    reporter.update(events[2]!);
    reporter.saved(1, 'images/001-a-fox.png');
    reporter.update(events[3]!);
    reporter.update(events[4]!);
    reporter.note('Canceling');
    reporter.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toBe(
      [
        '[0/4] image 1: rate_limited (Too many requests), try 2 in 2s',
        '[1/4] saved images/001-a-fox.png · ETA 1m05s',
        '[2/4] image 2 failed: safety_blocked: Blocked',
        '[3/4] image 3 canceled',
        'Canceling',
        '',
      ].join('\n'),
    );
  });

  it('on a terminal: a bar with counts, failures and the ETA, retries and failures logged above it', async () => {
    const { stream, written } = fakeStream(true);
    const reporter = createProgressReporter(stream, { total: 4, completed: 0, failed: 0, etaMs: null });
    for (const event of events.slice(0, 4)) reporter.update(event);
    reporter.saved(1, 'images/001-a-fox.png');
    reporter.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toContain('image 1: rate_limited (Too many requests), try 2 in 2s');
    expect(written()).toContain('image 2 failed: safety_blocked: Blocked');
    expect(written()).toMatch(/2\/4 · 1 failed · ETA 30s · saved images\/001-a-fox\.png/);
  });
});

describe('formatDuration', () => {
  it('reads at a glance', () => {
    expect([850, 4_200, 125_000, 3_720_000].map(formatDuration)).toEqual(['850ms', '4s', '2m05s', '1h02m']);
  });
});
