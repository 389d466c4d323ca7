import { describe, expect, it } from 'vitest';
import type { ItemError } from '@/lib/core';
import type { BatchWithItems, ItemRecord } from '@/lib/store';
import { toImagesResult, totalUsage, type ImagesResultOptions } from './openai-images-response';

const createdAt = '2026-11-30T12:00:00.000Z';

function batchOf(items: Partial<ItemRecord>[]): BatchWithItems {
  return {
    id: 'batch-1',
    createdAt,
    updatedAt: createdAt,
    prompt: 'p',
    mode: 'text-to-image',
    providerId: 'openai',
    modelId: 'gpt-image-2.5-flare',
    isDemo: false,
    params: { numberOfImages: items.length },
    costUsd: 0,
    status: 'completed',
    total: items.length,
    succeeded: 0,
    failed: 0,
    canceled: 0,
    lastEventSequence: 0,
    items: items.map((item, position) => ({ batchId: 'batch-1', index: position + 1, prompt: 'p', status: 'succeeded', attempts: 1, runAttempts: 1, ...item })),
  };
}

const made = (imageId: string, mimeType = 'image/png', usage?: ItemRecord['usage']): Partial<ItemRecord> => ({
  status: 'succeeded',
  image: { imageId, mimeType, byteLength: 3 },
  ...(usage ? { usage } : {}),
});
const failed = (kind: ItemError['kind'], retryAfterMs?: number): Partial<ItemRecord> => ({
  status: 'failed',
  error: { kind, message: `failed: ${kind}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
});

const options: ImagesResultOptions = {
  responseFormat: 'b64_json',
  origin: 'https://images.example.org',
  options: {},
  readImage: async (imageId) => new TextEncoder().encode(imageId),
  sizeOf: async () => undefined,
};

describe('toImagesResult', () => {
  it('answers every image made, in index order, with created, output_format, the real size and the chosen settings echoed', async () => {
    const result = await toImagesResult(batchOf([made('a.png'), failed('safety_blocked'), made('b.png')]), {
      ...options,
      options: { aspectRatio: '3:2', quality: 'high', background: 'opaque', outputFormat: 'png' },
      sizeOf: async (imageId) => (imageId === 'a.png' ? '1536x1024' : undefined),
    });
    expect(result.status).toBe(200);
    expect(result.headers).toEqual({ 'x-imagegen-batch-id': 'batch-1', 'x-imagegen-failed': '1' });
    expect(result.body).toEqual({
      created: Date.parse(createdAt) / 1000,
      data: [{ b64_json: Buffer.from('a.png').toString('base64') }, { b64_json: Buffer.from('b.png').toString('base64') }],
      output_format: 'png',
      size: '1536x1024',
      quality: 'high',
      background: 'opaque',
    });
  });

  it('leaves out what was "auto" and a size it cannot read: the actual value is not known', async () => {
    const result = await toImagesResult(batchOf([made('a.webp', 'image/webp')]), { ...options, options: { size: '1K', quality: 'auto', background: 'auto' } });
    expect(result.body).toEqual({ created: expect.any(Number), data: [expect.any(Object)], output_format: 'webp' });
  });

  it('answers url as this server absolute /api/images/:id', async () => {
    const result = await toImagesResult(batchOf([made('x y.png')]), { ...options, responseFormat: 'url' });
    expect(result.body).toMatchObject({ data: [{ url: 'https://images.example.org/api/images/x%20y.png' }] });
  });

  it('adds usage up in OpenAI shape when every image reported tokens, and omits it otherwise', async () => {
    const usage = { inputTokens: 50, inputImageTokens: 20, outputTokens: 1000, totalTokens: 1050 };
    const result = await toImagesResult(batchOf([made('a.png', 'image/png', usage), made('b.png', 'image/png', usage)]), options);
    expect(result.body).toMatchObject({
      usage: { input_tokens: 100, input_tokens_details: { image_tokens: 40, text_tokens: 60 }, output_tokens: 2000, total_tokens: 2100 },
    });
    expect(totalUsage([usage, undefined])).toBeUndefined();
    expect(totalUsage([{ inputTokens: 5, outputTokens: 7 }])).toMatchObject({ total_tokens: 12, input_tokens_details: { image_tokens: 0, text_tokens: 5 } });
  });
});

describe('toImagesResult when no image was made', () => {
  const statusOf = async (items: Partial<ItemRecord>[]) => {
    const result = await toImagesResult(batchOf(items), options);
    return { status: result.status, headers: result.headers, error: (result.body as { error: Record<string, unknown> }).error };
  };

  it('429 with the longest Retry-After when every image was rate limited', async () => {
    const result = await statusOf([failed('rate_limited', 1500), failed('rate_limited', 9000)]);
    expect(result).toMatchObject({ status: 429, error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null } });
    expect(result.headers['retry-after']).toBe('9');
    expect(result.headers['x-imagegen-failed']).toBe('2');
  });

  it('429 insufficient_quota (60 s when the provider named no time) when its quota is used up', async () => {
    const result = await statusOf([failed('quota_exhausted')]);
    expect(result).toMatchObject({ status: 429, error: { code: 'insufficient_quota' } });
    expect(result.headers['retry-after']).toBe('60');
  });

  it('429 without Retry-After when the spend cap stopped every image', async () => {
    const result = await statusOf([failed('cost_limit')]);
    expect(result.status).toBe(429);
    expect(result.headers['retry-after']).toBeUndefined();
  });

  it('400 for refusals of the prompt or input', async () => {
    expect(await statusOf([failed('safety_blocked')])).toMatchObject({ status: 400, error: { code: 'moderation_blocked' } });
    expect(await statusOf([failed('invalid_request'), failed('safety_blocked')])).toMatchObject({ status: 400, error: { code: 'invalid_value' } });
  });

  it('502 when the provider failed, 500 for our own faults, 400 batch_canceled when it was canceled here', async () => {
    expect((await statusOf([failed('overloaded'), failed('safety_blocked')])).status).toBe(502);
    expect((await statusOf([failed('rate_limited'), { status: 'canceled' }])).status).toBe(502);
    expect((await statusOf([failed('internal')])).status).toBe(500);
    expect((await statusOf([failed('auth')])).status).toBe(500);
    expect(await statusOf([{ status: 'canceled' }])).toMatchObject({ status: 400, error: { code: 'batch_canceled' } });
  });
});
