import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startFakeOpenAIServer, openaiResponses } from '@/lib/providers/testing';
import { respondToImage } from '@/lib/server';
import { useAccountsTestApp, createSignedInUser, createToken, signInAdmin } from '@/lib/server/testing/account-test-helpers';
import { useBatchTestApp, waitUntil } from '@/lib/server/testing/batch-test-helpers';
import { startRouteHttpServer } from '@/lib/server/testing/route-http-server';
import { POST as postEdit } from './images/edits/route';
import { POST as postGeneration } from './images/generations/route';
import { GET as getModels } from './models/route';

/**
 * The acceptance test of the OpenAI-compatible API: the official `openai` client, unmodified, with
 * only its base URL and key changed, against the route handlers served over real HTTP (the request
 * guard of proxy.ts included).
 */

afterEach(() => vi.unstubAllEnvs());

async function serveV1(): Promise<string> {
  const server = await startRouteHttpServer([
    { method: 'POST', path: '/v1/images/generations', handler: postGeneration },
    { method: 'POST', path: '/v1/images/edits', handler: postEdit },
    { method: 'GET', path: '/v1/models', handler: getModels },
    { method: 'GET', path: /^\/api\/images\/[^/]+$/, handler: (request) => respondToImage(request, decodeURIComponent(new URL(request.url).pathname.split('/').pop()!)) },
  ]);
  onTestFinished(() => server.close());
  return server.origin;
}

/** The client as a tool would configure it; our server retries the provider itself, so the SDK need not. */
function openaiClient(origin: string, apiKey = 'sk-anything') {
  return new OpenAI({ apiKey, baseURL: `${origin}/v1`, maxRetries: 0 });
}

async function pngOf(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
}

/** Catches what the call throws, so its class and fields can be checked. */
async function rejectionOf(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OpenAI.APIError);
    return error as InstanceType<typeof OpenAI.APIError>;
  }
  throw new Error('expected the call to fail');
}

describe('the openai SDK against /v1 (demo provider, no accounts: any key)', () => {
  it('generates n=3 as b64_json: one batch in the gallery, its id and failed count in headers', async () => {
    const testApp = await useBatchTestApp();
    const client = openaiClient(await serveV1());
    const { data: result, response } = await client.images.generate({ prompt: 'a lighthouse at dusk', n: 3 }).withResponse();
    expect(result.data).toHaveLength(3);
    for (const image of result.data!) expect((await sharp(Buffer.from(image.b64_json!, 'base64')).metadata()).format).toBe('png');
    expect(result.created).toBeGreaterThan(1_700_000_000);
    expect(result.output_format).toBe('png');
    // The demo reports no tokens: usage is left out rather than made up.
    expect(result.usage).toBeUndefined();
    expect(response.headers.get('x-imagegen-failed')).toBe('0');
    const batchId = response.headers.get('x-imagegen-batch-id')!;
    const batch = await (await testApp.runtime()).store.batches.getBatch(batchId);
    expect(batch).toMatchObject({ status: 'completed', providerId: 'demo', prompt: 'a lighthouse at dusk' });
    expect(batch!.items.map((item) => item.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('answers response_format url with absolute /api/images/:id URLs of this server', async () => {
    await useBatchTestApp();
    const origin = await serveV1();
    const result = await openaiClient(origin).images.generate({ prompt: 'a fox', n: 2, response_format: 'url', output_format: 'jpeg' });
    expect(result.data).toHaveLength(2);
    expect(result.output_format).toBe('jpeg');
    for (const image of result.data!) {
      expect(image.url).toMatch(new RegExp(`^${origin}/api/images/[^/]+$`));
      expect(image.b64_json).toBeUndefined();
      const download = await fetch(image.url!);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('image/jpeg');
    }
  });

  it('maps size to the model: an exact shape becomes the aspect ratio on a model that takes ratios', async () => {
    const { generateSpy } = await useBatchTestApp();
    const result = await openaiClient(await serveV1()).images.generate({ prompt: 'wide', size: '1536x1024' });
    expect(result.data).toHaveLength(1);
    expect(generateSpy.mock.calls[0]![0]).toMatchObject({ aspectRatio: '3:2' });
    // The answer's size is the image's own, as OpenAI reports it.
    const { width, height } = await sharp(Buffer.from(result.data![0]!.b64_json!, 'base64')).metadata();
    expect(result.size).toBe(`${width}x${height}`);
    expect(width! / height!).toBeCloseTo(1.5, 1);
  });

  it('edits images sent as multipart (one image, then several as image[])', async () => {
    const testApp = await useBatchTestApp();
    const client = openaiClient(await serveV1());
    const image = await toFile(await pngOf(64, 48), 'input.png', { type: 'image/png' });
    const { data: one, response } = await client.images.edit({ image, prompt: 'make it blue', n: 2 }).withResponse();
    expect(one.data).toHaveLength(2);
    const batch = await (await testApp.runtime()).store.batches.getBatch(response.headers.get('x-imagegen-batch-id')!);
    expect(batch).toMatchObject({ mode: 'image-to-image', status: 'completed' });
    expect(batch!.params.inputImages).toHaveLength(1);

    const images = [await toFile(await pngOf(32, 32), 'a.png', { type: 'image/png' }), await toFile(await pngOf(40, 40), 'b.png', { type: 'image/png' })];
    const { response: severalResponse } = await client.images.edit({ image: images, prompt: 'blend them' }).withResponse();
    const several = await (await testApp.runtime()).store.batches.getBatch(severalResponse.headers.get('x-imagegen-batch-id')!);
    expect(several!.params.inputImages).toHaveLength(2);
  });

  it('lists the models as provider/model ids, and each id (or the bare model id) selects that model', async () => {
    await useBatchTestApp();
    const client = openaiClient(await serveV1());
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) {
      expect(model).toMatchObject({ object: 'model', owned_by: 'demo' });
      expect(model.id).toMatch(/^demo\//);
      expect(typeof model.created).toBe('number');
    }
    expect((await client.images.generate({ prompt: 'listed', model: models[0]!.id })).data).toHaveLength(1);
    expect((await client.images.generate({ prompt: 'bare', model: models[0]!.id.slice('demo/'.length) })).data).toHaveLength(1);
  });

  it('answers partial failure with the images made and x-imagegen-failed', async () => {
    await useBatchTestApp({ DEMO_FAIL_INDEXES: '2' });
    const { data: result, response } = await openaiClient(await serveV1()).images.generate({ prompt: 'partial', n: 3 }).withResponse();
    expect(response.status).toBe(200);
    expect(result.data).toHaveLength(2);
    expect(response.headers.get('x-imagegen-failed')).toBe('1');
  });

  it('answers 400 naming the param for what the model does not take, and nothing is generated', async () => {
    const { generateSpy } = await useBatchTestApp();
    const client = openaiClient(await serveV1());
    const cases: [Parameters<typeof client.images.generate>[0], string][] = [
      [{ prompt: 'x', size: 'huge' }, 'size'],
      [{ prompt: 'x', size: '1000x100' }, 'size'],
      [{ prompt: 'x', quality: 'high' }, 'quality'],
      [{ prompt: 'x', background: 'transparent' }, 'background'],
      [{ prompt: 'x', output_format: 'gif' }, 'output_format'],
      [{ prompt: 'x', n: 0 }, 'n'],
      [{ prompt: 'x', n: 101 }, 'n'],
      [{ prompt: '' }, 'prompt'],
      [{ prompt: 'x', style: 'vivid' }, 'style'],
      [{ prompt: 'x', stream: true }, 'stream'],
    ];
    for (const [body, param] of cases) {
      const error = await rejectionOf(client.images.generate(body as Parameters<typeof client.images.generate>[0]));
      expect(error, JSON.stringify(body)).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.status).toBe(400);
      expect(error.param, JSON.stringify(body)).toBe(param);
      expect(error.type).toBe('invalid_request_error');
    }
    const mask = await toFile(await pngOf(8, 8), 'mask.png', { type: 'image/png' });
    const image = await toFile(await pngOf(8, 8), 'in.png', { type: 'image/png' });
    expect((await rejectionOf(client.images.edit({ image, mask, prompt: 'x' }))).param).toBe('mask');
    expect(generateSpy).not.toHaveBeenCalled();
  });

  it('answers 404 model_not_found for a model this server does not offer', async () => {
    await useBatchTestApp();
    const error = await rejectionOf(openaiClient(await serveV1()).images.generate({ prompt: 'x', model: 'dall-e-3' }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, param: 'model', code: 'model_not_found' });
  });

  it('answers 400 moderation_blocked when the provider refused every image', async () => {
    await useBatchTestApp({ DEMO_FAIL_INDEXES: '1,2' });
    const error = await rejectionOf(openaiClient(await serveV1()).images.generate({ prompt: 'refused', n: 2 }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'moderation_blocked' });
    expect(error.headers?.get('x-imagegen-failed')).toBe('2');
  });

  it('cancels the rest of the batch when the client hangs up; the images made stay', async () => {
    const testApp = await useBatchTestApp({ DEMO_LATENCY_MS: '100' });
    const client = openaiClient(await serveV1());
    const hangUp = new AbortController();
    const call = client.images.generate({ prompt: 'walk away', n: 6 }, { signal: hangUp.signal }).catch((error: unknown) => error);
    const runtime = await testApp.runtime();
    // The only batch of this test's fresh store, with its items.
    const batchOf = async () => {
      const listed = (await runtime.store.batches.listBatches({ limit: 1 })).batches[0];
      return listed && (await runtime.store.batches.getBatch(listed.id));
    };
    await waitUntil(async () => ((await batchOf())?.items.filter((item) => item.status === 'succeeded').length ?? 0) >= 1);
    hangUp.abort();
    expect(await call).toBeInstanceOf(OpenAI.APIUserAbortError);
    await waitUntil(async () => (await batchOf())?.status === 'canceled' || (await batchOf())?.status === 'partial');
    const batch = (await batchOf())!;
    const made = batch.items.filter((item) => item.status === 'succeeded');
    expect(made.length).toBeGreaterThanOrEqual(1);
    expect(made.length).toBeLessThan(6);
    expect(batch.items.some((item) => item.status === 'canceled')).toBe(true);
  });
});

describe('the openai SDK against /v1 with accounts on', () => {
  it('answers 401 AuthenticationError for a wrong token; a real token works and owns the batch', async () => {
    const testApp = await useAccountsTestApp();
    const origin = await serveV1();
    const wrong = await rejectionOf(openaiClient(origin, 'igt_not_a_token').images.generate({ prompt: 'x' }));
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect((await rejectionOf(openaiClient(origin, 'igt_not_a_token').models.list())).status).toBe(401);

    const { user, cookie } = await createSignedInUser(await signInAdmin(), 'painter');
    const { secret } = await createToken(cookie);
    const client = openaiClient(origin, secret);
    const { response } = await client.images.generate({ prompt: 'mine', n: 2 }).withResponse();
    const batch = await testApp.opened.store.batches.getBatch(response.headers.get('x-imagegen-batch-id')!);
    expect(batch?.ownerId).toBe(user.id);

    // Without any key: 401 in OpenAI's envelope. A url answer is downloaded with the same key.
    const bare = await fetch(`${origin}/v1/models`);
    expect(bare.status).toBe(401);
    expect((await bare.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
    const { data } = await client.images.generate({ prompt: 'linked', response_format: 'url' });
    expect((await fetch(data![0]!.url!)).status).toBe(401);
    expect((await fetch(data![0]!.url!, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
  });

  it('lists only the models the token may use, and refuses another with 403', async () => {
    await useAccountsTestApp();
    const origin = await serveV1();
    const { cookie } = await createSignedInUser(await signInAdmin(), 'limited', { allowedModels: ['openai'] });
    const { secret } = await createToken(cookie);
    const client = openaiClient(origin, secret);
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toEqual([]);
    const error = await rejectionOf(client.images.generate({ prompt: 'x' }));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });
});

describe('the openai SDK against /v1 in front of a rate-limited provider', () => {
  it('answers 429 RateLimitError with retry-after when the provider refused every image for its rate limit', async () => {
    const provider = await startFakeOpenAIServer();
    onTestFinished(() => provider.close());
    provider.respondAlways(openaiResponses.rateLimited({ retryAfter: '2' }));
    await useBatchTestApp({ IMAGE_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-0123456789abcdefghij', OPENAI_BASE_URL: provider.baseUrl, RETRY_MAX_ATTEMPTS: '1' });
    const error = await rejectionOf(openaiClient(await serveV1()).images.generate({ prompt: 'busy', model: 'openai/gpt-image-2.5-flare', n: 2 }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(error.headers?.get('retry-after')).toBe('2');
    expect(error.headers?.get('x-imagegen-failed')).toBe('2');
  });
});

describe('the openai SDK against /v1 in front of OpenAI (a local fake of it)', () => {
  it('fills usage from the tokens the provider reported, added up over the images, and echoes the chosen quality', async () => {
    const provider = await startFakeOpenAIServer();
    onTestFinished(() => provider.close());
    provider.respondAlways(openaiResponses.imageFor());
    await useBatchTestApp({ IMAGE_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-0123456789abcdefghij', OPENAI_BASE_URL: provider.baseUrl });
    const result = await openaiClient(await serveV1()).images.generate({ prompt: 'priced', model: 'gpt-image-2.5-flare', n: 2, quality: 'low', size: '1024x1024' });
    expect(result.data).toHaveLength(2);
    // The fake answers a real 2x2 PNG: the size is the image's own, not the one asked for.
    expect(result).toMatchObject({ quality: 'low', size: '2x2', output_format: 'png' });
    expect(provider.requests).toHaveLength(2);
    expect(result.usage!.output_tokens).toBeGreaterThan(0);
    expect(result.usage!.total_tokens).toBe(result.usage!.input_tokens + result.usage!.output_tokens);
    expect(result.usage!.input_tokens_details.text_tokens + result.usage!.input_tokens_details.image_tokens).toBe(result.usage!.input_tokens);
    expect((provider.requests[0]!.json as { size: string; quality: string }).size).toBe('1024x1024');
  });
});

