import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type InputImage } from '@/lib/core';
import {
  closedLocalUrl,
  openrouterResponses,
  rejectionOf,
  startFakeHttpServer,
  startFakeOpenRouterServer,
  TINY_JPEG_BASE64,
  tinyJpeg,
  tinyPng,
  type FakeOpenRouterServer,
  type ScriptedResponse,
} from '../testing';
import { defaultOpenRouterModelId, openrouterModels } from './openrouter-models';
import { openRouterImageModels } from './openrouter-model-list';
import { createOpenRouterProvider, type OpenRouterProviderOptions } from './openrouter-provider';

const apiKey = 'sk-or-v1-test-0123456789abcdef';
const model = defaultOpenRouterModelId;
const capabilitiesOf = (id: string) => openrouterModels.find((known) => known.id === id)!.capabilities;

let server: FakeOpenRouterServer;
beforeEach(async () => {
  server = await startFakeOpenRouterServer({ apiKey });
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<OpenRouterProviderOptions> = {}) {
  return createOpenRouterProvider({ apiKey, baseUrl: server.baseUrl, model, capabilities: capabilitiesOf(model), ...overrides });
}

async function providerErrorFor(response: ScriptedResponse, overrides: Partial<OpenRouterProviderOptions> = {}): Promise<ProviderError> {
  server.respondWith(response);
  const error = await rejectionOf(provider(overrides).generate({ prompt: 'a red fox', index: 1 }));
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('openrouter provider: text-to-image', () => {
  it('posts the prompt to /chat/completions with modalities, the key and the attribution headers, and returns the data-URL image', async () => {
    server.respondWith(openrouterResponses.image({ text: 'Here is your fox.' }));
    const image = await provider({ appUrl: 'https://images.example.org' }).generate({ prompt: 'a red fox', index: 1 });

    expect(image).toMatchObject({ mimeType: 'image/png', bytes: tinyPng() });
    expect(image.usage).toEqual({ inputTokens: 12, outputTokens: 1290, totalTokens: 1302 });
    expect(image.warnings).toBeUndefined();
    const [sent] = server.requests;
    expect(sent.path).toBe('/api/v1/chat/completions');
    expect(sent.headers).toMatchObject({ authorization: `Bearer ${apiKey}`, 'http-referer': 'https://images.example.org', 'x-title': 'imagegen' });
    expect(sent.json).toEqual({ model, messages: [{ role: 'user', content: 'a red fox' }], modalities: ['image', 'text'], stream: false });
  });

  it('leaves HTTP-Referer out without a public URL', async () => {
    server.respondWith(openrouterResponses.image());
    await provider().generate({ prompt: 'p', index: 1 });
    expect(server.requests[0].headers['http-referer']).toBeUndefined();
  });

  it('sends aspect_ratio and (on models that take it) image_size in image_config; the image has the asked-for shape', async () => {
    const proModel = 'google/gemini-3-pro-image-preview';
    server.respondWith(openrouterResponses.imageFor());
    const image = await provider({ model: proModel, capabilities: capabilitiesOf(proModel) }).generate({ prompt: 'p', index: 1, aspectRatio: '16:9', size: '2K' });
    expect((server.requests[0].json as { image_config?: unknown }).image_config).toEqual({ aspect_ratio: '16:9', image_size: '2K' });
    const metadata = await sharp(image.bytes).metadata();
    expect(metadata.width! / metadata.height!).toBeCloseTo(16 / 9, 1);
  });

  it('turns what the model cannot take into warnings, never into a refused request', async () => {
    server.respondWith(openrouterResponses.image());
    const image = await provider().generate({ prompt: 'p', index: 1, size: '2K', quality: 'high', background: 'opaque', outputFormat: 'webp' });
    expect((server.requests[0].json as { image_config?: unknown }).image_config).toBeUndefined();
    expect(image.warnings).toEqual([
      'This model has one size; size 2K was ignored.',
      'OpenRouter image models do not take quality; quality high was ignored.',
      'OpenRouter image models do not take background; background opaque was ignored.',
      "OpenRouter answers in the model's own format; outputFormat webp was ignored.",
    ]);
  });

  it('asks an image-only model (FLUX) for modalities ["image"]', async () => {
    const flux = 'black-forest-labs/flux.2-pro';
    server.respondWith(openrouterResponses.image());
    await provider({ model: flux, capabilities: capabilitiesOf(flux) }).generate({ prompt: 'p', index: 1 });
    expect((server.requests[0].json as { modalities?: unknown }).modalities).toEqual(['image']);
  });

  it('takes the MIME type from the bytes, whatever the data URL claims', async () => {
    server.respondWith(openrouterResponses.image({ base64: TINY_JPEG_BASE64, mimeType: 'image/png' }));
    expect(await provider().generate({ prompt: 'p', index: 1 })).toMatchObject({ mimeType: 'image/jpeg', bytes: tinyJpeg() });
  });

  it('reports the x-ratelimit-* headers of a success for pacing', async () => {
    const resetAt = Date.now() + 30_000;
    server.respondWith(openrouterResponses.image({ headers: { 'X-RateLimit-Limit': '20', 'X-RateLimit-Remaining': '19', 'X-RateLimit-Reset': String(resetAt) } }));
    const image = await provider().generate({ prompt: 'p', index: 1 });
    expect(image.rateLimit).toMatchObject({ limitRequestsPerMinute: 20, remainingRequests: 19 });
    expect(image.rateLimit!.resetRequestsMs).toBeGreaterThan(25_000);
    expect(image.rateLimit!.resetRequestsMs).toBeLessThanOrEqual(30_000);
  });
});

describe('openrouter provider: image-to-image', () => {
  it('sends the prompt then each input image as an image_url data-URL part', async () => {
    const inputs: InputImage[] = [
      { bytes: tinyPng(), mimeType: 'image/png' },
      { bytes: tinyJpeg(), mimeType: 'image/jpeg' },
    ];
    server.respondWith(openrouterResponses.image());
    const image = await provider().generate({ prompt: 'make it blue', index: 1, inputImages: inputs });
    expect(image.mimeType).toBe('image/png');
    const content = (server.requests[0].json as { messages: { content: unknown }[] }).messages[0]!.content;
    expect(content).toEqual([
      { type: 'text', text: 'make it blue' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(tinyPng()).toString('base64')}` } },
      { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${TINY_JPEG_BASE64}` } },
    ]);
  });
});

describe('openrouter provider: answers without a usable image', () => {
  it('text only: a failed item whose reason is the model\'s text (not retried)', async () => {
    const error = await providerErrorFor(openrouterResponses.textOnly('I cannot draw that, but here is a poem instead.'));
    expect(error).toMatchObject({ kind: 'invalid_request', isRetryable: false, message: 'OpenRouter returned no image: I cannot draw that, but here is a poem instead.' });
  });

  it('content_filter: safety_blocked', async () => {
    const error = await providerErrorFor(openrouterResponses.textOnly('', { finishReason: 'content_filter' }));
    expect(error).toMatchObject({ kind: 'safety_blocked', isRetryable: false });
  });

  it('nothing at all: transient (another sample usually works)', async () => {
    expect(await providerErrorFor(openrouterResponses.textOnly(''))).toMatchObject({ kind: 'transient', message: 'OpenRouter returned no image' });
  });

  it.each([
    ['bytes that are not an image', openrouterResponses.image({ base64: Buffer.from('<html>no</html>').toString('base64') }), 'OpenRouter returned data that is not an image'],
    ['a body that is not JSON', { status: 200, headers: { 'content-type': 'application/json' }, body: '{"choices": [' } as ScriptedResponse, 'OpenRouter answered with a malformed body'],
  ])('%s: transient', async (_, response, message) => {
    expect(await providerErrorFor(response)).toMatchObject({ kind: 'transient', isRetryable: true, message });
  });

  it('an error envelope inside a 200 (the upstream failed after routing): classified by its code', async () => {
    const error = await providerErrorFor({ status: 200, body: { error: { code: 502, message: 'Upstream error from Google', metadata: { provider_name: 'Google' } } } });
    expect(error).toMatchObject({ kind: 'transient', status: 502, details: 'Upstream error from Google; provider: Google' });
  });
});

describe('openrouter provider: errors, classified', () => {
  it('402 no credits: quota_exhausted, never retried', async () => {
    const error = await providerErrorFor(openrouterResponses.noCredits());
    expect(error).toMatchObject({ kind: 'quota_exhausted', isRetryable: false, status: 402 });
    expect(error.message).toMatch(/No OpenRouter credits left/);
  });

  it('429: rate_limited with retry-after and the x-ratelimit-* quota', async () => {
    const error = await providerErrorFor(openrouterResponses.rateLimited({ limit: 20, remaining: 0, retryAfterSeconds: 7 }));
    expect(error).toMatchObject({ kind: 'rate_limited', isRetryable: true, status: 429, retryAfterMs: 7_000, rateLimit: { limitRequestsPerMinute: 20, remainingRequests: 0 } });
    // In whole seconds: a second off either way, which adaptive pacing allows for.
    expect(error.retryAfterSlackMs).toBe(1_000);
  });

  it('429 without retry-after: waits until x-ratelimit-reset; an upstream\'s headers in error.metadata count too', async () => {
    const resetAtMs = Date.now() + 12_000;
    const error = await providerErrorFor(openrouterResponses.rateLimited({ resetAtMs, inMetadata: true }));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(10_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(12_000);
    expect(error.retryAfterSlackMs).toBeUndefined();
    expect(error.rateLimit).toMatchObject({ limitRequestsPerMinute: 20, remainingRequests: 0 });
  });

  it('a wrong key: auth (401 "User not found."), without the key in what it says', async () => {
    server.respondWith(openrouterResponses.image());
    const error = (await rejectionOf(provider({ apiKey: 'sk-or-v1-wrong-key-abcdef' }).generate({ prompt: 'p', index: 1 }))) as ProviderError;
    expect(error).toMatchObject({ kind: 'auth', status: 401, details: 'User not found.' });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('sk-or-v1');
  });

  it.each([
    [400, 'Invalid option at image_config.aspect_ratio', undefined, 'invalid_request'],
    [400, 'google/retired-model is not a valid model ID', undefined, 'not_found'],
    [403, 'Your input was flagged', { reasons: ['violence'], flagged_input: 'a…', provider_name: 'OpenAI' }, 'safety_blocked'],
    [403, 'Key is disabled', undefined, 'auth'],
    [404, 'No endpoints found that support image input', undefined, 'not_found'],
    [408, 'Request timed out', undefined, 'transient'],
    [500, 'Internal Server Error', undefined, 'transient'],
    [502, 'Provider returned error', { provider_name: 'Google', raw: 'upstream said no' }, 'transient'],
    [503, 'No available model provider that meets your routing requirements', undefined, 'overloaded'],
  ] as const)('%i %s: %s', async (status, message, metadata, kind) => {
    const error = await providerErrorFor(openrouterResponses.error(status, message, metadata as Record<string, unknown> | undefined));
    expect(error).toMatchObject({ kind, status });
    expect(error.details).toContain(message);
  });

  it('a refused connection: transient', async () => {
    const error = (await rejectionOf(provider({ baseUrl: `${await closedLocalUrl()}/api/v1` }).generate({ prompt: 'p', index: 1 }))) as ProviderError;
    expect(error).toMatchObject({ kind: 'transient', message: 'Network error calling OpenRouter' });
  });

  it('no answer within timeoutMs: timeout', async () => {
    server.respondWith({ ...(openrouterResponses.image() as ScriptedResponse), delayMs: 2_000 });
    const error = (await rejectionOf(provider({ timeoutMs: 100 }).generate({ prompt: 'p', index: 1 }))) as ProviderError;
    expect(error).toMatchObject({ kind: 'timeout', isRetryable: true });
  });
});

describe('openrouter provider: models it does not know (OPENROUTER_MODELS), looked up in GET /api/v1/models', () => {
  it('sends ["image"] to an image-only model the listing names, and reads the listing once', async () => {
    await server.close();
    server = await startFakeOpenRouterServer({ apiKey, extraImageOnlyModels: ['some-lab/pixels-only'] });
    server.respondWith(openrouterResponses.image(), openrouterResponses.image());
    const pixelsOnly = provider({ model: 'some-lab/pixels-only', capabilities: undefined });
    await pixelsOnly.generate({ prompt: 'p', index: 1 });
    await pixelsOnly.generate({ prompt: 'p', index: 2 });
    expect(server.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /api/v1/models?output_modalities=image',
      'POST /api/v1/chat/completions',
      'POST /api/v1/chat/completions',
    ]);
    expect((server.requests[1].json as { modalities?: unknown }).modalities).toEqual(['image']);
  });

  it('an id the listing does not have as an image model fails as not_found, with no chat call', async () => {
    for (const id of ['openai/gpt-4o-mini', 'google/no-such-model']) {
      const error = (await rejectionOf(provider({ model: id, capabilities: undefined }).generate({ prompt: 'p', index: 1 }))) as ProviderError;
      expect(error).toMatchObject({ kind: 'not_found', message: `${id} is not an image model on OpenRouter` });
    }
    expect(server.requests.every(({ method }) => method === 'GET')).toBe(true);
  });

  it('without a listing (it answered 503) it asks for image and text, and reads the listing again next time', async () => {
    const flaky = await startFakeHttpServer({
      name: 'openrouter with a failing listing',
      basePath: '/api/v1',
      route: (request) => (request.method === 'GET' ? openrouterResponses.error(503, 'Service Unavailable') : undefined),
    });
    try {
      flaky.respondWith(openrouterResponses.image(), openrouterResponses.image());
      const newModel = provider({ model: 'some-lab/new-model', capabilities: undefined, baseUrl: flaky.baseUrl });
      await newModel.generate({ prompt: 'p', index: 1 });
      await newModel.generate({ prompt: 'p', index: 2 });
      expect(flaky.requests.map(({ method }) => method)).toEqual(['GET', 'POST', 'GET', 'POST']);
      expect((flaky.requests[1]!.json as { modalities?: unknown }).modalities).toEqual(['image', 'text']);
    } finally {
      await flaky.close();
    }
  });

  it('a listing that cannot be reached is undefined', async () => {
    expect(await openRouterImageModels(`${await closedLocalUrl()}/api/v1`, { apiKey })).toBeUndefined();
  });
});

describe('openrouter provider: cancel', () => {
  it('aborting in flight rejects with the abort itself (not a ProviderError) and drops the request', async () => {
    server.respondWith({ ...(openrouterResponses.image() as ScriptedResponse), delayMs: 5_000 });
    const controller = new AbortController();
    const pending = provider().generate({ prompt: 'p', index: 1 }, controller.signal);
    await server.waitForRequests(1);
    controller.abort();
    const error = await rejectionOf(pending);
    expect(error).not.toBeInstanceOf(ProviderError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('canceled by the user'));
    await expect(provider().generate({ prompt: 'p', index: 1 }, controller.signal)).rejects.toThrow('canceled by the user');
    expect(server.requests).toHaveLength(0);
  });
});
