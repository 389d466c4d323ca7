import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonRequest, readSseEvents, useTestApp } from '@/lib/server/testing/route-test-helpers';
import { POST } from './route';

afterEach(() => vi.unstubAllEnvs());

const generate = (body: unknown, headers?: Record<string, string>) => POST(jsonRequest('/api/generate', body, headers));

describe('POST /api/generate (classic JSON)', () => {
  it('answers all succeeded with real images, one provider call per image', async () => {
    const { generateSpy } = useTestApp();
    const response = await generate({ prompt: 'a lighthouse at dusk', numberOfImages: 4 });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(['failed', 'images', 'success']);
    expect(body).toMatchObject({ success: 4, failed: 0 });
    expect(body.images).toHaveLength(4);
    for (const image of body.images) {
      expect(image.mimeType).toBe('image/png');
      expect((await sharp(Buffer.from(image.data, 'base64')).metadata()).format).toBe('png');
    }
    expect(generateSpy).toHaveBeenCalledTimes(4);
    expect(generateSpy.mock.calls.map(([options]) => options.index)).toEqual([1, 2, 3, 4]);
  });

  it('defaults to one image', async () => {
    useTestApp();
    const body = await (await generate({ prompt: 'one' })).json();
    expect(body).toMatchObject({ success: 1, failed: 0 });
  });

  it('keeps the images that succeeded and reports each failure with its 1-based index', async () => {
    useTestApp({ DEMO_FAIL_INDEXES: '2' });
    const response = await generate({ prompt: 'partial', numberOfImages: 3 });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ success: 2, failed: 1 });
    expect(body.images).toHaveLength(2);
    expect(body.errors).toEqual([{ index: 2, error: 'Blocked by the safety filter', details: 'DEMO_FAIL_INDEXES includes 2' }]);
  });

  it('answers 502 in the seed format when every image failed', async () => {
    const { generateSpy } = useTestApp({ DEMO_FAIL_INDEXES: '1,2' });
    const response = await generate({ prompt: 'doomed', numberOfImages: 2 });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: 'All image generations failed',
      details: [
        { index: 1, error: 'Blocked by the safety filter' },
        { index: 2, error: 'Blocked by the safety filter' },
      ],
    });
    // safety blocks are permanent: no retries
    expect(generateSpy).toHaveBeenCalledTimes(2);
  });

  it('answers 429 with Retry-After when every failure was a rate limit, after retrying each', async () => {
    const { generateSpy } = useTestApp({ DEMO_FAIL_INDEXES: '1', DEMO_FAIL_KIND: 'rate_limited', RETRY_MAX_ATTEMPTS: '2' });
    const response = await generate({ prompt: 'busy', numberOfImages: 1 });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('60');
    expect(await response.json()).toEqual({
      error: 'All image generations failed',
      details: [{ index: 1, error: 'Rate limited by the provider' }],
    });
    expect(generateSpy).toHaveBeenCalledTimes(2);
  });
});

describe('POST /api/generate bad input', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['missing prompt', { numberOfImages: 2 }, 'prompt', /Prompt is required/],
    ['blank prompt', { prompt: '   ' }, 'prompt', /Prompt is required/],
    ['prompt over 4,000 characters', { prompt: 'x'.repeat(4001) }, 'prompt', /too long \(4001 characters\); the limit is 4000/],
    ['zero images', { prompt: 'a', numberOfImages: 0 }, 'numberOfImages', /from 1 to 4/],
    ['five images', { prompt: 'a', numberOfImages: 5 }, 'numberOfImages', /from 1 to 4/],
    ['fractional count', { prompt: 'a', numberOfImages: 2.5 }, 'numberOfImages', /whole number/],
    ['count as words', { prompt: 'a', numberOfImages: 'two' }, 'numberOfImages', /whole number/],
    ['unknown aspect ratio', { prompt: 'a', aspectRatio: '5:1' }, 'aspectRatio', /aspectRatio must be one of/],
    ['unknown provider', { prompt: 'a', provider: 'midjourney' }, 'provider', /Unknown provider "midjourney": this server offers demo/],
    ['unknown model', { prompt: 'a', model: 'gpt-image-1' }, 'model', /Model "gpt-image-1" is not offered .* choose one of demo-shapes-v1/],
    ['size in no known form', { prompt: 'a', size: 'huge' }, 'size', /size must be 1K, 2K, 4K or WIDTHxHEIGHT/],
    ['a size the model does not take', { prompt: 'a', size: '2K' }, 'size', /Demo shapes does not take size/],
    ['a quality the model does not take', { prompt: 'a', quality: 'high' }, 'quality', /Demo shapes does not take quality/],
    ['an unknown quality', { prompt: 'a', quality: 'ultra' }, 'quality', /quality must be one of low, medium, high, auto/],
    ['an unknown output format', { prompt: 'a', outputFormat: 'gif' }, 'outputFormat', /outputFormat must be one of png, jpeg, webp/],
    ['a background the model does not take', { prompt: 'a', background: 'transparent' }, 'background', /does not take background/],
    ['a negative cost cap', { prompt: 'a', maxCostUsd: -1 }, 'maxCostUsd', /more than 0/],
    ['provider without a key', { prompt: 'a', provider: 'gemini' }, 'provider', /set GEMINI_API_KEY/],
    ['an array body', [1, 2], 'body', /JSON object/],
  ];
  it.each(cases)('%s: 400 naming the field, nothing generated', async (_name, body, field, message) => {
    const { generateSpy } = useTestApp();
    const response = await generate(body);
    expect(response.status).toBe(400);
    const answer = await response.json();
    expect(answer.field).toBe(field);
    expect(answer.error).toMatch(message);
    expect(generateSpy).not.toHaveBeenCalled();
  });

  it('cuts off a body over the limit while reading it, chunked too (no Content-Length): 413, nothing generated', async () => {
    const { generateSpy } = useTestApp();
    let sentBytes = 0;
    const chunk = new TextEncoder().encode(`{"prompt": "${'a'.repeat(64 * 1024)}`);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sentBytes += chunk.byteLength;
        controller.enqueue(chunk);
        if (sentBytes > 50 * 1024 * 1024) controller.close();
      },
    });
    const response = await POST(
      new Request('http://127.0.0.1/api/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: endless,
        duplex: 'half',
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'The request is too large: at most 1 MB.', field: 'body' });
    // Stopped soon after the limit, not after reading everything.
    expect(sentBytes).toBeLessThan(4 * 1024 * 1024);
    expect(generateSpy).not.toHaveBeenCalled();
  });

  it('rejects a body that is not JSON', async () => {
    const { generateSpy } = useTestApp();
    const response = await generate('{"prompt": "a",');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'Request body is not valid JSON.', field: 'body' });
    expect(generateSpy).not.toHaveBeenCalled();
  });

  it('rejects a body sent as something other than JSON', async () => {
    useTestApp();
    const response = await POST(
      new Request('http://127.0.0.1/api/generate', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'prompt=a' }),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/application\/json/);
  });
});

describe('POST /api/generate streaming (Accept: text/event-stream)', () => {
  it('streams the event union with sequence ids, each image as it is ready, and the classic body at the end', async () => {
    useTestApp({ DEMO_FAIL_INDEXES: '3' });
    const response = await generate({ prompt: 'streamed', numberOfImages: 3 }, { accept: 'text/event-stream' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { ids, names, events } = await readSseEvents(response);

    expect(names[0]).toBe('batch-start');
    expect(names.at(-1)).toBe('batch-end');
    expect(ids).toEqual(events.map((event) => String(event.sequence)));
    // One sequence numbering for every batch: the durable log's, from 1.
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, position) => position + 1));
    expect(events[0]).toMatchObject({ type: 'batch-start', provider: 'demo', isDemo: true, mode: 'text-to-image', total: 3, etaMs: null });

    const ends = events.filter((event) => event.type === 'item-end');
    expect(ends.map((event) => [event.index, event.status])).toEqual([
      [1, 'succeeded'],
      [2, 'succeeded'],
      [3, 'failed'],
    ]);
    expect(ends[0]).toMatchObject({ mimeType: 'image/png', completed: 1, failed: 0 });
    expect(ends[0].type === 'item-end' && ends[0].data && ends[0].data.length).toBeGreaterThan(100);
    expect(ends[2]).toMatchObject({ kind: 'safety_blocked', error: 'Blocked by the safety filter', completed: 2, failed: 1 });
    expect(typeof ends[0].etaMs).toBe('number');

    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'batch-end', status: 'partial', completed: 2, failed: 1, etaMs: 0 });
    expect(last?.type === 'batch-end' && last.result).toMatchObject({
      success: 2,
      failed: 1,
      errors: [{ index: 3, error: 'Blocked by the safety filter' }],
    });
    // Each image goes out once, in its item-end; the batch-end does not repeat the bytes.
    expect(last?.type === 'batch-end' && last.result && 'images' in last.result).toBe(false);
  });

  it('cancels the rest of the batch when the client disconnects', async () => {
    const { generateSpy } = useTestApp({ DEMO_LATENCY_MS: '150' });
    const client = new AbortController();
    const response = await POST(
      new Request('http://127.0.0.1/api/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ prompt: 'walk away', numberOfImages: 4 }),
        signal: client.signal,
      }),
    );
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    while (!received.includes('event: item-end')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value);
    }
    client.abort();
    await reader.cancel();
    const callsAtDisconnect = generateSpy.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(callsAtDisconnect).toBeLessThanOrEqual(2);
    expect(generateSpy.mock.calls.length).toBe(callsAtDisconnect);
  });
});

describe('POST /api/generate on the durable lifecycle', () => {
  it('stores the batch: it is listed with its images saved, and gets Retry failed and the ZIP like any other', async () => {
    useTestApp({ DEMO_FAIL_INDEXES: '2' });
    const body = await (await generate({ prompt: 'kept on the server', numberOfImages: 3 })).json();
    expect(body).toMatchObject({ success: 2, failed: 1 });

    const { listBatches, retryBatch } = await import('@/lib/server');
    const [stored] = (await listBatches({ kind: 'local' })).batches;
    expect(stored).toMatchObject({ prompt: 'kept on the server', total: 3, succeeded: 2, failed: 1, status: 'partial' });
    expect(stored!.items!.filter((item) => item.imageUrl).map((item) => item.index)).toEqual([1, 3]);
    const retried = await retryBatch({ kind: 'local' }, stored!.id);
    expect(retried.requeuedCount).toBe(1);
  });
});
