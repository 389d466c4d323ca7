import { describe, expect, it } from 'vitest';
import { checkSequence, createSseParser, percentile, summarize } from './load-stats';

/** The load bench's figures (bench/load.ts) come from these: checked on cases worked out by hand. */

describe('percentile (nearest rank) and summarize', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, index) => index + 1);

  it('takes the smallest value with at least p% of the values at or below it', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN with no values, and refuses a p outside [0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('summarize sorts a copy (numerically, not as strings) and gives count, p50, p99, max', () => {
    const values = [100, 9, 30, 2, 1_000];
    expect(summarize(values)).toEqual({ count: 5, p50: 30, p99: 1_000, max: 1_000 });
    expect(values).toEqual([100, 9, 30, 2, 1_000]);
    expect(summarize([])).toEqual({ count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN });
  });
});

describe('the SSE parser', () => {
  it('returns the frames each chunk completes, whatever the chunk boundaries', () => {
    const parse = createSseParser();
    expect(parse('id: 1\nevent: batch-start\nda')).toEqual([]);
    expect(parse('ta: {"sequence":1}\n\nid: 2\nevent: item-start\ndata: {"sequence":2}\n')).toEqual([
      { id: '1', event: 'batch-start', data: '{"sequence":1}' },
    ]);
    expect(parse('\n')).toEqual([{ id: '2', event: 'item-start', data: '{"sequence":2}' }]);
  });

  it('skips comments (keep-alive) and frames without data, joins data lines, takes CRLF, defaults the event to message', () => {
    const parse = createSseParser();
    expect(parse(': keep-alive\n\nid: 3\r\ndata: a\r\ndata: b\r\n\r\nevent: x\n\ndata:c\n\n')).toEqual([
      { id: '3', event: 'message', data: 'a\nb' },
      { event: 'message', data: 'c' },
    ]);
  });
});

describe('checkSequence: one watcher against its batch log of sequences 1 … last', () => {
  const events = (...sequences: number[]) =>
    sequences.map((sequence, position) => ({ sequence, type: position === sequences.length - 1 ? 'batch-end' : 'item-end' }));

  it('complete: every sequence once, in order, ending with batch-end at the last sequence', () => {
    expect(checkSequence(events(1, 2, 3, 4), 4)).toEqual({
      missing: [],
      duplicates: 0,
      outOfOrder: 0,
      unknown: 0,
      endsWithBatchEnd: true,
      isComplete: true,
    });
  });

  it('a gap is counted as lost', () => {
    const check = checkSequence(events(1, 2, 4), 4);
    expect(check.missing).toEqual([3]);
    expect(check.isComplete).toBe(false);
  });

  it('a stream cut before the end loses the rest and did not end with batch-end', () => {
    const check = checkSequence([{ sequence: 1, type: 'batch-start' }, { sequence: 2, type: 'item-start' }], 5);
    expect(check.missing).toEqual([3, 4, 5]);
    expect(check.endsWithBatchEnd).toBe(false);
    expect(check.isComplete).toBe(false);
  });

  it('duplicates, out-of-order and unknown sequences are counted apart and make it incomplete', () => {
    expect(checkSequence(events(1, 2, 2, 3), 3)).toMatchObject({ missing: [], duplicates: 1, outOfOrder: 0, isComplete: false });
    expect(checkSequence(events(1, 3, 2, 4), 4)).toMatchObject({ missing: [], duplicates: 0, outOfOrder: 1, isComplete: false });
    expect(checkSequence(events(1, 2, Number.NaN, 0, 7, 3), 3)).toMatchObject({ missing: [], unknown: 3, endsWithBatchEnd: true, isComplete: false });
  });

  it('batch-end must be the last event and carry the last sequence', () => {
    expect(checkSequence([{ sequence: 1, type: 'batch-end' }, { sequence: 2, type: 'item-end' }], 2).endsWithBatchEnd).toBe(false);
    expect(checkSequence([...events(1, 2), { sequence: 3, type: 'item-end' }], 3)).toMatchObject({ missing: [], endsWithBatchEnd: false, isComplete: false });
  });

  it('nothing received from a log of 3 events: 3 lost', () => {
    expect(checkSequence([], 3)).toMatchObject({ missing: [1, 2, 3], endsWithBatchEnd: false, isComplete: false });
  });
});
