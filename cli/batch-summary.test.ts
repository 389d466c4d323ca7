import { describe, expect, it } from 'vitest';
import type { BatchView } from '@/lib/core';
import { describeOutcome, toJsonSummary } from './batch-summary';

const batch = {
  id: 'b1',
  total: 3,
  succeeded: 1,
  failed: 1,
  canceled: 1,
  status: 'canceled',
  items: [
    { index: 3, prompt: 'x', status: 'canceled', attempts: 0 },
    { index: 1, prompt: 'x', status: 'succeeded', attempts: 1, imageId: 'a.png', mimeType: 'image/png' },
    { index: 2, prompt: 'x', status: 'failed', attempts: 3, error: { kind: 'transient', message: 'Server error', details: 'HTTP 500' } },
  ],
} as unknown as BatchView;

describe('the closing output', () => {
  it('--json: the classic body in index order, paths for images, canceled images as errors', () => {
    expect(toJsonSummary(batch, new Map([[1, 'out/001-x.png']]))).toEqual({
      batchId: 'b1',
      images: [{ path: 'out/001-x.png', mimeType: 'image/png' }],
      success: 1,
      failed: 2,
      errors: [
        { index: 2, error: 'Server error', details: 'HTTP 500' },
        { index: 3, error: 'Canceled', details: 'The batch was canceled before this image was made.' },
      ],
    });
  });

  it('the last line counts what was saved, failed and canceled', () => {
    expect(describeOutcome(batch, 'out')).toBe('1 of 3 images saved in out, 1 failed, 1 canceled (batch b1, canceled).');
  });
});
