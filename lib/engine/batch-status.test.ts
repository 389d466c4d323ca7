import { describe, expect, it } from 'vitest';
import { toBatchStatus } from './batch-status';

describe('toBatchStatus', () => {
  it('names how a batch ended', () => {
    expect(toBatchStatus([{ status: 'succeeded' }, { status: 'succeeded' }])).toBe('completed');
    expect(toBatchStatus([{ status: 'failed' }, { status: 'failed' }])).toBe('failed');
    expect(toBatchStatus([{ status: 'succeeded' }, { status: 'failed' }])).toBe('partial');
    expect(toBatchStatus([{ status: 'succeeded' }, { status: 'canceled' }])).toBe('canceled');
    expect(toBatchStatus([{ status: 'failed' }, { status: 'canceled' }])).toBe('canceled');
  });
});
