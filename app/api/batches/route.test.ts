import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchList, BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { GET as getBatch } from './[id]/route';
import { GET as getImage } from '../images/[id]/route';
import { POST as classicGenerate } from '../generate/route';
import { GET, POST } from './route';

afterEach(() => vi.unstubAllEnvs());

const create = (body: unknown) => POST(jsonRequest('/api/batches', body));

describe('POST /api/batches', () => {
  it('answers 202 at once; the worker makes every image and stores it on disk', async () => {
    const { runtime, dataDirectory, generateSpy } = await useBatchTestApp({ DEMO_LATENCY_MS: '20' });
    const response = await create({ prompt: 'a lighthouse at dusk', numberOfImages: 5, aspectRatio: '16:9' });
    expect(response.status).toBe(202);
    const created = await readJson<BatchView>(response);
    expect(created).toMatchObject({
      status: 'queued',
      total: 5,
      prompt: 'a lighthouse at dusk',
      prompts: ['a lighthouse at dusk'],
      mode: 'text-to-image',
      provider: 'demo',
      isDemo: true,
      aspectRatio: '16:9',
      numberOfImages: 5,
      eventsUrl: `/api/batches/${created.id}/events`,
      zipUrl: `/api/batches/${created.id}/zip`,
    });
    expect(response.headers.get('location')).toBe(`/api/batches/${created.id}`);
    expect(created.items!.map((item) => item.status)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued']);

    await waitForBatchEnd(await runtime(), created.id);
    const batch = await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    expect(batch).toMatchObject({ status: 'completed', succeeded: 5, failed: 0 });
    expect(generateSpy).toHaveBeenCalledTimes(5);
    for (const item of batch.items!) {
      expect(item).toMatchObject({ status: 'succeeded', attempts: 1, mimeType: 'image/png', imageUrl: `/api/images/${item.imageId}` });
      expect(existsSync(join(dataDirectory, 'images', item.imageId!))).toBe(true);
      const image = await getImage(getRequest(item.imageUrl!), routeContext(item.imageId!));
      expect(image.status).toBe(200);
      const metadata = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      expect(metadata).toMatchObject({ format: 'png' });
      expect(metadata.width! / metadata.height!).toBeCloseTo(16 / 9, 1);
    }
  });

  it('takes several prompts: each prompt × numberOfImages, in order', async () => {
    const { runtime } = await useBatchTestApp();
    const created = await readJson<BatchView>(await create({ prompts: ['a red fox', 'a blue whale'], numberOfImages: 2 }));
    expect(created).toMatchObject({ total: 4, prompt: 'a red fox', prompts: ['a red fox', 'a blue whale'], numberOfImages: 2 });
    expect(created.items!.map((item) => [item.index, item.prompt])).toEqual([
      [1, 'a red fox'],
      [2, 'a red fox'],
      [3, 'a blue whale'],
      [4, 'a blue whale'],
    ]);
    await waitForBatchEnd(await runtime(), created.id);
  });

  it('image-to-image from a multipart upload: the input image is stored too, and transformed per item', async () => {
    const { runtime, generateSpy } = await useBatchTestApp();
    const input = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const form = new FormData();
    form.set('prompt', 'make it warmer');
    form.set('numberOfImages', '2');
    form.set('image', new File([new Uint8Array(input)], 'input.png', { type: 'image/png' }));
    const response = await POST(new Request('http://127.0.0.1/api/batches', { method: 'POST', body: form }));
    expect(response.status).toBe(202);
    const created = await readJson<BatchView>(response);
    expect(created).toMatchObject({ mode: 'image-to-image', total: 2, inputImageUrl: expect.stringMatching(/^\/api\/images\/.+\.png$/) });

    await waitForBatchEnd(await runtime(), created.id);
    expect(generateSpy.mock.calls.map(([options]) => Buffer.from(options.inputImages![0]!.bytes).equals(input))).toEqual([true, true]);
    const inputImageId = created.inputImageUrl!.split('/').at(-1)!;
    const stored = await getImage(getRequest(created.inputImageUrl!), routeContext(inputImageId));
    expect(Buffer.from(await stored.arrayBuffer()).equals(input)).toBe(true);
  });

  it('multipart: repeated prompts fields, and an empty file input means text-to-image', async () => {
    const { runtime } = await useBatchTestApp();
    const form = new FormData();
    form.append('prompts', 'a red fox');
    form.append('prompts', 'a blue whale');
    form.set('numberOfImages', '1');
    form.set('image', new File([], '', { type: 'application/octet-stream' }));
    const response = await POST(new Request('http://127.0.0.1/api/batches', { method: 'POST', body: form }));
    expect(response.status).toBe(202);
    const created = await readJson<BatchView>(response);
    expect(created).toMatchObject({ mode: 'text-to-image', total: 2, prompts: ['a red fox', 'a blue whale'] });
    expect(created).not.toHaveProperty('inputImageUrl');
    await waitForBatchEnd(await runtime(), created.id);
  });

  it('accepts up to 100 images', async () => {
    const { runtime } = await useBatchTestApp();
    const response = await create({ prompt: 'many', numberOfImages: 100 });
    expect(response.status).toBe(202);
    const created = await readJson<BatchView>(response);
    expect(created.total).toBe(100);
    await (await runtime()).queue.cancel(created.id);
  });
});

describe('one lane per provider, shared with the classic routes', () => {
  it('a background batch and a classic request together never exceed the pacing concurrency', async () => {
    const { runtime, provider, generateSpy: passThroughSpy } = await useBatchTestApp({ DEMO_LATENCY_MS: '40' });
    passThroughSpy.mockRestore();
    const original = provider.generate.bind(provider);
    let inFlight = 0;
    let maxInFlight = 0;
    const generateSpy = vi.spyOn(provider, 'generate').mockImplementation(async (options, signal) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await original(options, signal);
      } finally {
        inFlight -= 1;
      }
    });
    const created = await readJson<BatchView>(await create({ prompt: 'background', numberOfImages: 3 }));
    const classic = await classicGenerate(jsonRequest('/api/generate', { prompt: 'foreground', numberOfImages: 2 }));
    expect(classic.status).toBe(200);
    await waitForBatchEnd(await runtime(), created.id);
    expect(generateSpy).toHaveBeenCalledTimes(5);
    expect(maxInFlight).toBe(1);
  });
});

describe('POST /api/batches bad input: 400 with the field, nothing written', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['missing prompt', { numberOfImages: 2 }, 'prompt', /Prompt is required/],
    ['blank prompt', { prompt: '  ' }, 'prompt', /Prompt is required/],
    ['zero images', { prompt: 'a', numberOfImages: 0 }, 'numberOfImages', /from 1 to 100/],
    ['101 images', { prompt: 'a', numberOfImages: 101 }, 'numberOfImages', /from 1 to 100/],
    ['fractional count', { prompt: 'a', numberOfImages: 1.5 }, 'numberOfImages', /whole number/],
    ['prompts × images over 100', { prompts: ['a', 'b', 'c'], numberOfImages: 40 }, 'numberOfImages', /3 prompts × 40 images is 120/],
    ['both prompt and prompts', { prompt: 'a', prompts: ['b'] }, 'prompts', /either prompt or prompts/],
    ['empty prompts', { prompts: [] }, 'prompts', /non-empty array/],
    ['prompts not an array', { prompts: 'a, b' }, 'prompts', /non-empty array/],
    ['a blank prompt in prompts', { prompts: ['a', ' '] }, 'prompts', /Prompt 2 of prompts: Prompt is required/],
    ['unknown aspect ratio', { prompt: 'a', aspectRatio: '5:1' }, 'aspectRatio', /aspectRatio must be one of/],
    ['unknown provider', { prompt: 'a', provider: 'dall-e' }, 'provider', /Unknown provider "dall-e"/],
    ['unknown model', { prompt: 'a', model: 'dall-e-3' }, 'model', /Model "dall-e-3" is not offered/],
    ['a size the model does not take', { prompt: 'a', size: '1024x1024' }, 'size', /does not take size/],
    ['images and image together', { prompt: 'a', image: { data: 'AA==' }, images: [{ data: 'AA==' }] }, 'image', /either image or images/],
    ['a seed on a model without seeds', { prompt: 'a', seed: 7 }, 'seed', /does not take seed; leave it out/],
    ['a negative seed', { prompt: 'a', seed: -1 }, 'seed', /seed must be a whole number from 0 to 4294967295/],
    ['steps past 150', { prompt: 'a', steps: 151 }, 'steps', /steps must be a whole number from 1 to 150/],
    ['a sampler on a model without samplers', { prompt: 'a', sampler: 'Euler a' }, 'sampler', /does not take sampler/],
    ['a cost cap as words', { prompt: 'a', maxCostUsd: 'ten' }, 'maxCostUsd', /maxCostUsd must be a number/],
    ['provider without key', { prompt: 'a', provider: 'gemini' }, 'provider', /set GEMINI_API_KEY/],
    ['image not base64', { prompt: 'a', image: { data: '***' } }, 'image', /not valid base64/],
    ['image not an image', { prompt: 'a', image: { data: Buffer.from('hello').toString('base64') } }, 'image', /not a PNG, JPEG, WebP image/],
    ['not an object', '[1, 2]', 'body', /must be a JSON object/],
    ['broken JSON', '{"prompt": ', 'body', /not valid JSON/],
  ];

  it.each(cases)('%s', async (_name, body, field, message) => {
    const { runtime, dataDirectory, generateSpy } = await useBatchTestApp();
    const response = await create(body);
    expect(response.status).toBe(400);
    const answer = await readJson<{ error: string; field: string }>(response);
    expect(answer.field).toBe(field);
    expect(answer.error).toMatch(message);
    expect((await (await runtime()).store.batches.listBatches()).batches).toEqual([]);
    expect(await readdir(join(dataDirectory, 'images'))).toEqual([]);
    expect(generateSpy).not.toHaveBeenCalled();
  });

  it('a text/plain body', async () => {
    await useBatchTestApp();
    const response = await POST(new Request('http://127.0.0.1/api/batches', { method: 'POST', body: 'a fox', headers: { 'content-type': 'text/plain' } }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'body' });
  });
});

describe('GET /api/batches', () => {
  it('lists newest first, with items, page by page with the cursor', async () => {
    const { runtime } = await useBatchTestApp();
    const ids: string[] = [];
    for (const prompt of ['one', 'two', 'three', 'four', 'five']) {
      ids.push((await readJson<BatchView>(await create({ prompt }))).id);
    }
    for (const id of ids) await waitForBatchEnd(await runtime(), id);

    const first = await readJson<BatchList>(await GET(getRequest('/api/batches?limit=2')));
    expect(first.batches.map((batch) => batch.prompt)).toEqual(['five', 'four']);
    expect(first.batches[0]!.items).toHaveLength(1);
    expect(first.batches[0]!.items![0]).toMatchObject({ status: 'succeeded', imageUrl: expect.stringMatching(/^\/api\/images\//) });
    expect(first.nextCursor).toBe(ids[3]);
    expect(first.nextUrl).toBe(`/api/batches?limit=2&before=${ids[3]}`);

    const second = await readJson<BatchList>(await GET(getRequest(first.nextUrl!)));
    expect(second.batches.map((batch) => batch.prompt)).toEqual(['three', 'two']);
    const last = await readJson<BatchList>(await GET(getRequest(second.nextUrl!)));
    expect(last.batches.map((batch) => batch.prompt)).toEqual(['one']);
    expect(last).not.toHaveProperty('nextCursor');

    const all = await readJson<BatchList>(await GET(getRequest('/api/batches')));
    expect(all.batches).toHaveLength(5);
  });

  it('answers an empty list on a fresh data directory', async () => {
    await useBatchTestApp();
    expect(await readJson(await GET(getRequest('/api/batches')))).toEqual({ batches: [] });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=-1', 'limit'],
    ['before=', 'before'],
    ['before=no-such-batch', 'before'],
  ])('?%s → 400 naming %s', async (query, field) => {
    await useBatchTestApp();
    const response = await GET(getRequest(`/api/batches?${query}`));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field, error: expect.any(String) });
  });
});
