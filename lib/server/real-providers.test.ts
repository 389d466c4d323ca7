import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultGeminiModelId, defaultOpenAIModelId } from '@/lib/providers';
import {
  geminiResponses,
  openaiResponses,
  startFakeGeminiServer,
  startFakeOpenAIServer,
  tinyJpeg,
  tinyPng,
  type FakeHttpServer,
} from '@/lib/providers/testing';
import { GET as getBatch } from '@/app/api/batches/[id]/route';
import { POST as createBatch } from '@/app/api/batches/route';
import { POST as generate } from '@/app/api/generate/route';
import { POST as generateWithImage } from '@/app/api/generate-with-image/route';
import { GET as getProviders } from '@/app/api/providers/route';
import { GET as getImage } from '@/app/api/images/[id]/route';
import { GET as getZip } from '@/app/api/batches/[id]/zip/route';
import { readZip } from './testing/read-zip';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd, type BatchView } from './testing/batch-test-helpers';
import { jsonRequest } from './testing/route-test-helpers';

/**
 * The app as a new user runs it, with only a provider's key set, against local fakes that are as
 * strict as the real services (retired models 404, options validated per model), through the
 * official SDKs. Each test names the "done when" it proves.
 */

const openaiKey = 'sk-test-0123456789abcdefghijklmnop';
const geminiKey = 'AIzaTest0123456789abcdefghijklmnopqrs';

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function openaiFake() {
  const server = await startFakeOpenAIServer();
  servers.push(server);
  server.respondAlways(openaiResponses.imageFor());
  return server;
}

async function geminiFake() {
  const server = await startFakeGeminiServer();
  servers.push(server);
  return server;
}

/** A fresh app with only this provider's key and its base URL pointing at the fake (IMAGE_PROVIDER unset). */
function onlyOpenAI(server: FakeHttpServer, env: Record<string, string> = {}) {
  return useBatchTestApp({ IMAGE_PROVIDER: '', OPENAI_API_KEY: openaiKey, OPENAI_BASE_URL: server.baseUrl, ...env });
}

function onlyGemini(server: FakeHttpServer, env: Record<string, string> = {}) {
  return useBatchTestApp({ IMAGE_PROVIDER: '', GEMINI_API_KEY: geminiKey, GEMINI_BASE_URL: server.baseUrl, ...env });
}

async function createAndFinish(app: Awaited<ReturnType<typeof useBatchTestApp>>, body: Record<string, unknown>): Promise<BatchView> {
  const response = await createBatch(jsonRequest('/api/batches', body));
  expect(response.status, JSON.stringify(await response.clone().json())).toBe(202);
  const created = await readJson<BatchView>(response);
  await waitForBatchEnd(await app.runtime(), created.id);
  return readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
}

describe('with only a key set, the default model works (the fakes refuse shut-down models)', () => {
  it('OpenAI: the default is a current model; gpt-image-1 is refused as the real service does', async () => {
    const server = await openaiFake();
    await onlyOpenAI(server);
    const response = await generate(jsonRequest('/api/generate', { prompt: 'a lighthouse', numberOfImages: 2 }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: 2, failed: 0 });
    expect(server.requests.map((request) => (request.json as { model: string }).model)).toEqual([defaultOpenAIModelId, defaultOpenAIModelId]);

    // The old default, set by hand, fails as it would against OpenAI: a 404, classified, not retried.
    const old = await openaiFake();
    await onlyOpenAI(old, { OPENAI_IMAGE_MODEL: 'gpt-image-1' });
    const refused = await generate(jsonRequest('/api/generate', { prompt: 'a lighthouse' }));
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ details: [{ index: 1, error: 'Model not found (retired or misspelled model id)' }] });
    expect(old.requests).toHaveLength(1);
  });

  it('Gemini: the default is a current model; gemini-2.5-flash-image is refused as the real service does', async () => {
    const server = await geminiFake();
    server.respondAlways(geminiResponses.image());
    const app = await onlyGemini(server);
    const batch = await createAndFinish(app, { prompt: 'a lighthouse', numberOfImages: 2 });
    expect(batch).toMatchObject({ provider: 'gemini', model: defaultGeminiModelId, isDemo: false, status: 'completed', succeeded: 2 });
    expect(server.requests.every((request) => request.path.includes(`/models/${defaultGeminiModelId}:generateContent`))).toBe(true);

    const old = await geminiFake();
    old.respondAlways(geminiResponses.image());
    const oldApp = await onlyGemini(old, { GEMINI_MODEL: 'gemini-2.5-flash-image' });
    const refused = await createAndFinish(oldApp, { prompt: 'a lighthouse' });
    expect(refused.items![0]!.error).toMatchObject({ kind: 'not_found' });
  });
});

describe('Gemini thought images', () => {
  it('stores the final image, not the draft that came before it', async () => {
    const server = await geminiFake();
    const final = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#118833' } }).png().toBuffer();
    server.respondAlways(geminiResponses.thoughtImages({ base64: final.toString('base64'), thoughtImagesBase64: [Buffer.from(tinyJpeg()).toString('base64')] }));
    const app = await onlyGemini(server);
    const batch = await createAndFinish(app, { prompt: 'a fox', numberOfImages: 1 });
    const item = batch.items![0]!;
    expect(item).toMatchObject({ status: 'succeeded', mimeType: 'image/png' });
    const stored = Buffer.from(await (await getImage(getRequest(item.imageUrl!), routeContext(item.imageId!))).arrayBuffer());
    // PNGs are stored with the prompt in a text chunk: compare the pixels, not the bytes.
    expect(await sharp(stored).metadata()).toMatchObject({ format: 'png', width: 8, height: 6 });
    expect(Buffer.from(tinyPng()).equals(stored)).toBe(false);
  });
});

describe('a quota that waiting will not bring back', () => {
  it('Gemini per-day 429 on image 1 of 4: at most 2 calls reach the provider, and the batch says why', async () => {
    const server = await geminiFake();
    server.respondAlways(geminiResponses.freeTierDailyQuotaExhausted());
    const app = await onlyGemini(server, { RETRY_MAX_ATTEMPTS: '3' });
    const batch = await createAndFinish(app, { prompt: 'a fox', numberOfImages: 4 });
    expect(server.requests.length).toBeLessThanOrEqual(2);
    expect(batch).toMatchObject({ status: 'failed', failed: 4 });
    for (const item of batch.items!) {
      expect(item.error).toMatchObject({ kind: 'quota_exhausted', message: expect.stringMatching(/^The provider's quota is used up until \d{4}-/) });
    }
  });

  it('OpenAI insufficient_quota: one call, then the rest fail fast with the same reason', async () => {
    const server = await startFakeOpenAIServer();
    servers.push(server);
    server.respondAlways(openaiResponses.insufficientQuota());
    const app = await onlyOpenAI(server);
    const batch = await createAndFinish(app, { prompt: 'a fox', numberOfImages: 4 });
    expect(server.requests).toHaveLength(1);
    expect(batch.items!.map((item) => item.error?.kind)).toEqual(['quota_exhausted', 'quota_exhausted', 'quota_exhausted', 'quota_exhausted']);
    expect(batch.items!.map((item) => item.attempts)).toEqual([1, 0, 0, 0]);
  });
});

describe('options reach the wire; what the model does not take is a 400 naming the field', () => {
  it('OpenAI GPT Image 2.5: aspect ratio and size preset become an exact WxH, quality and format go as is', async () => {
    const server = await openaiFake();
    await onlyOpenAI(server);
    const response = await generate(
      jsonRequest('/api/generate', { prompt: 'a wide shot', model: 'gpt-image-2.5-flare', aspectRatio: '16:9', size: '2K', quality: 'high', outputFormat: 'webp' }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.images[0].mimeType).toBe('image/webp');
    expect(server.requests[0]!.json).toMatchObject({ model: 'gpt-image-2.5-flare', size: '2048x1152', quality: 'high', output_format: 'webp', n: 1 });
  });

  it('OpenAI fixed-size model: an exact ratio maps to its fixed size', async () => {
    const server = await openaiFake();
    await onlyOpenAI(server);
    const response = await generate(jsonRequest('/api/generate', { prompt: 'tall', model: 'gpt-image-1.5', aspectRatio: '2:3', background: 'transparent' }));
    expect(response.status).toBe(200);
    expect(server.requests[0]!.json).toMatchObject({ model: 'gpt-image-1.5', size: '1024x1536', background: 'transparent' });
  });

  it('Gemini: aspectRatio and imageSize go in imageConfig', async () => {
    const server = await geminiFake();
    server.respondAlways(geminiResponses.image());
    const app = await onlyGemini(server);
    await createAndFinish(app, { prompt: 'a panorama', aspectRatio: '21:9', size: '4K' });
    expect(server.requests[0]!.json).toMatchObject({
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '21:9', imageSize: '4K' } },
    });
  });

  it.each([
    ['openai', { model: 'gpt-image-1.5', aspectRatio: '21:9' }, 'aspectRatio', /"21:9" is not available on GPT Image 1.5; choose one of 1:1, 2:3/],
    ['openai', { model: 'gpt-image-2.5-flare', size: '1000x1000' }, 'size', /multiples of 16/],
    ['openai', { model: 'gpt-image-2.5-flare', size: '3840x3840' }, 'size', /8,294,400 pixels/],
    ['openai', { model: 'gpt-image-1.5', size: '2K' }, 'size', /choose one of 1024x1024, 1536x1024, 1024x1536/],
    ['openai', { background: 'transparent', outputFormat: 'jpeg' }, 'outputFormat', /png or webp/],
    ['gemini', { quality: 'high' }, 'quality', /does not take quality/],
    ['gemini', { outputFormat: 'jpeg' }, 'outputFormat', /choose one of png/],
    ['gemini', { model: 'gemini-3.1-flash-lite-image', size: '2K' }, 'size', /does not take size/],
    ['gemini', { model: 'gemini-3-pro-image', aspectRatio: '8:1' }, 'aspectRatio', /not available on Gemini 3 Pro Image/],
  ])('%s %o: 400 on %s, nothing sent', async (provider, options, field, message) => {
    const server = provider === 'openai' ? await openaiFake() : await geminiFake();
    if (provider === 'openai') await onlyOpenAI(server);
    else await onlyGemini(server);
    for (const response of [
      await generate(jsonRequest('/api/generate', { prompt: 'a', ...options })),
      await createBatch(jsonRequest('/api/batches', { prompt: 'a', ...options })),
    ]) {
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body).toMatchObject({ field });
      expect(body.error).toMatch(message);
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe('image-to-image with several input images', () => {
  it('OpenAI: every uploaded image reaches /images/edits as an image[] part with its own type', async () => {
    const server = await openaiFake();
    await onlyOpenAI(server);
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#224488' } }).png().toBuffer();
    const jpeg = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    const form = new FormData();
    form.set('prompt', 'combine these');
    form.set('model', 'gpt-image-2.5-flare');
    form.append('image', new File([new Uint8Array(png)], 'a.png', { type: 'image/png' }));
    form.append('image', new File([new Uint8Array(jpeg)], 'b.jpg', { type: 'image/jpeg' }));
    const response = await generateWithImage(new Request('http://127.0.0.1/api/generate-with-image', { method: 'POST', body: form }));
    expect(response.status).toBe(200);
    const [sent] = server.requests;
    expect(sent!.path).toBe('/v1/images/edits');
    expect(sent!.form?.files.map((file) => [file.fieldName, file.contentType])).toEqual([
      ['image[]', 'image/png'],
      ['image[]', 'image/jpeg'],
    ]);
  });

  it('more images than the model takes is a 400 on image, nothing sent', async () => {
    const server = await geminiFake();
    await onlyGemini(server, { GEMINI_MODELS: 'gemini-nano-banana-2.1' });
    const images = Array.from({ length: 15 }, () => ({ data: Buffer.from(tinyPng()).toString('base64'), mimeType: 'image/png' }));
    const response = await generateWithImage(jsonRequest('/api/generate-with-image', { prompt: 'collage', images }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'image', error: expect.stringMatching(/at most 14 input images; this request has 15/) });
    expect(server.requests).toHaveLength(0);
  });
});

describe('GET /api/providers', () => {
  it('lists what is configured, with each model and its capabilities; never a key or a base URL', async () => {
    const server = await openaiFake();
    await onlyOpenAI(server, { OPENAI_IMAGE_MODELS: 'gpt-image-2.5-sunburst, gpt-image-1-mini' });
    const response = await getProviders(new Request('http://localhost/api/providers'));
    const text = await response.text();
    expect(text).not.toContain(openaiKey);
    expect(text).not.toContain(server.baseUrl);
    const catalog = JSON.parse(text);
    expect(catalog.default).toEqual({ provider: 'openai', model: 'gpt-image-2.5-sunburst' });
    expect(catalog.providers.map((provider: { id: string }) => provider.id)).toEqual(['openai', 'demo']);
    const openai = catalog.providers[0];
    expect(openai).toMatchObject({ id: 'openai', label: 'OpenAI', isDemo: false, configured: true });
    expect(openai.models.map((model: { id: string }) => model.id)).toEqual(['gpt-image-2.5-sunburst', 'gpt-image-1-mini']);
    expect(openai.models[0].capabilities).toMatchObject({
      customSize: { multipleOf: 16, maxEdge: 3840 },
      qualities: ['low', 'medium', 'high', 'auto'],
      backgrounds: ['auto', 'opaque', 'transparent'],
      imageToImage: true,
      maxInputImages: 16,
    });
    expect(openai.models[1].capabilities.sizes).toEqual(['1024x1024', '1536x1024', '1024x1536']);
    expect(catalog.providers[1]).toMatchObject({ id: 'demo', isDemo: true, models: [{ id: 'demo-shapes-v1', price: { perImageUsd: { '*': 0 } } }] });
  });

  it('offers every current model by default, and none that is shut down', async () => {
    const server = await geminiFake();
    await onlyGemini(server);
    const catalog = await (await getProviders(new Request('http://localhost/api/providers'))).json();
    const ids = catalog.providers[0].models.map((model: { id: string }) => model.id);
    expect(ids[0]).toBe(defaultGeminiModelId);
    expect(ids).toContain('gemini-3-pro-image');
    expect(ids).not.toContain('gemini-2.5-flash-image');
  });
});

describe('usage and cost', () => {
  it('records what the provider reported per item, prices it, and adds it up per batch; the ZIP manifest has it', async () => {
    const server = await openaiFake();
    const app = await onlyOpenAI(server);
    const batch = await createAndFinish(app, { prompt: 'a red fox', numberOfImages: 2, model: 'gpt-image-2.5-flare', quality: 'low' });
    expect(batch.estimatedCostUsd).toBeCloseTo(2 * 0.008, 6);
    for (const item of batch.items!) {
      expect(item.usage).toMatchObject({ outputTokens: 272, inputTokens: expect.any(Number), totalTokens: expect.any(Number) });
      // 272 output tokens at $30 / 1M plus a few text tokens at $5 / 1M.
      expect(item.costUsd).toBeCloseTo((item.usage!.inputTokens! * 5 + 272 * 30) / 1e6, 9);
    }
    expect(batch.costUsd).toBeCloseTo(batch.items![0]!.costUsd! + batch.items![1]!.costUsd!, 6);

    const zip = await getZip(getRequest(batch.zipUrl), routeContext(batch.id));
    const manifest = JSON.parse(readZip(Buffer.from(await zip.arrayBuffer()))[0]!.data.toString('utf8'));
    expect(manifest).toMatchObject({ model: 'gpt-image-2.5-flare', quality: 'low', costUsd: batch.costUsd });
    expect(manifest.items[0]).toMatchObject({ usage: batch.items![0]!.usage, costUsd: batch.items![0]!.costUsd });
  });

  it('maxCostUsd stops a batch before it spends more: the items that would pass it are never sent', async () => {
    const server = await openaiFake();
    const app = await onlyOpenAI(server, { PACING_CONCURRENCY: '1' });
    // Medium is estimated at $0.032 an image: a cap of $0.07 lets two start.
    const batch = await createAndFinish(app, { prompt: 'a red fox', numberOfImages: 5, model: 'gpt-image-2.5-flare', maxCostUsd: 0.07 });
    expect(server.requests.length).toBeLessThanOrEqual(2);
    expect(batch.maxCostUsd).toBe(0.07);
    expect(batch.costUsd).toBeLessThanOrEqual(0.07);
    const refused = batch.items!.filter((item) => item.error?.kind === 'cost_limit');
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(refused[0]!.error!.message).toBe("Not started: it would pass the batch's cost limit of $0.07");
    expect(refused.every((item) => item.attempts === 0)).toBe(true);
  });

  it('a cap below one image, or on a model without a known price, is a 400', async () => {
    const server = await openaiFake();
    await onlyOpenAI(server);
    const tooLow = await createBatch(jsonRequest('/api/batches', { prompt: 'a', model: 'gpt-image-2.5-flare', maxCostUsd: 0.001 }));
    expect(tooLow.status).toBe(400);
    expect(await tooLow.json()).toMatchObject({ field: 'maxCostUsd', error: expect.stringMatching(/less than one image/) });
    const unpriced = await generate(jsonRequest('/api/generate', { prompt: 'a', model: 'chatgpt-image-latest', maxCostUsd: 1 }));
    expect(unpriced.status).toBe(400);
    expect(await unpriced.json()).toMatchObject({ field: 'maxCostUsd', error: expect.stringMatching(/OPENAI_PRICE_PER_IMAGE_USD/) });
    expect(server.requests).toHaveLength(0);
  });

  it('demo costs nothing', async () => {
    const app = await useBatchTestApp();
    const batch = await createAndFinish(app, { prompt: 'a fox', numberOfImages: 2, maxCostUsd: 0.01 });
    expect(batch).toMatchObject({ estimatedCostUsd: 0, costUsd: 0, status: 'completed' });
    expect(batch.items!.map((item) => item.costUsd)).toEqual([0, 0]);
  });
});
