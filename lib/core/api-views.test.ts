import { describe, expect, it } from 'vitest';
import { batchListSchema, batchViewSchema, storageUsageSchema } from './api-views';

const view = {
  id: 'b1',
  createdAt: '2025-01-01T10:00:00.000Z',
  updatedAt: '2025-01-01T10:00:05.000Z',
  prompt: 'a red fox',
  prompts: ['a red fox', 'a blue whale'],
  mode: 'text-to-image',
  provider: 'openai',
  model: 'gpt-image-2.5-flare',
  isDemo: false,
  size: '1536x864',
  numberOfImages: 1,
  estimatedCostUsd: 0.4,
  costUsd: 0.2,
  maxCostUsd: 0.3,
  status: 'partial',
  total: 2,
  succeeded: 1,
  failed: 1,
  canceled: 0,
  url: '/api/batches/b1',
  eventsUrl: '/api/batches/b1/events',
  zipUrl: '/api/batches/b1/zip',
  lastSequence: 6,
  items: [
    { index: 1, prompt: 'a red fox', status: 'succeeded', attempts: 1, imageId: 'i.png', imageUrl: '/api/images/i.png', mimeType: 'image/png', costUsd: 0.2 },
    {
      index: 2,
      prompt: 'a blue whale',
      status: 'failed',
      attempts: 0,
      error: { kind: 'cost_limit', message: "Not started: it would pass the batch's cost limit of $0.30", retryStop: 'not_retryable' },
    },
  ],
};

describe('the API view schemas', () => {
  it('accept a batch as the server answers it: several prompts, a cost-capped item, a WxH size', () => {
    const parsed = batchViewSchema.parse(view);
    expect(parsed.prompts).toHaveLength(2);
    expect(parsed.items?.[1]?.error).toMatchObject({ kind: 'cost_limit', retryStop: 'not_retryable' });
    expect(batchListSchema.parse({ batches: [view], nextCursor: 'b0' }).batches).toHaveLength(1);
  });

  it('refuse what the page could not draw instead of trusting it', () => {
    expect(batchViewSchema.safeParse({ ...view, status: 'exploded' }).success).toBe(false);
    expect(batchViewSchema.safeParse({ ...view, size: 'huge' }).success).toBe(false);
    expect(batchViewSchema.safeParse({ ...view, lastSequence: undefined }).success).toBe(false);
    const badItem = { ...view.items[1], error: { kind: 'gremlins', message: 'x' } };
    expect(batchViewSchema.safeParse({ ...view, items: [badItem] }).success).toBe(false);
  });

  it('read the storage usage, with the retention when the server sets one', () => {
    expect(storageUsageSchema.parse({ batchCount: 2, imageCount: 5, imageBytes: 1234, retentionDays: 30 })).toEqual({
      batchCount: 2,
      imageCount: 5,
      imageBytes: 1234,
      retentionDays: 30,
    });
    expect(storageUsageSchema.safeParse({ batchCount: -1, imageCount: 0, imageBytes: 0 }).success).toBe(false);
  });
});
