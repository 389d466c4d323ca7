import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type AspectRatio, type ProviderErrorKind } from '@/lib/core';
import {
  closedLocalUrl,
  openaiResponses,
  startFakeOpenAIServer,
  TINY_JPEG_BASE64,
  tinyJpeg,
  tinyPng,
  type FakeOpenAIServer,
  type ScriptedResponse,
  rejectionOf,
} from '../testing';
import { createOpenAIProvider, type OpenAIProviderOptions } from './openai-provider';

const apiKey = 'test-openai-key-0123456789';
const model = 'gpt-image-1';

let server: FakeOpenAIServer;
beforeEach(async () => {
  server = await startFakeOpenAIServer();
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<OpenAIProviderOptions> = {}) {
  return createOpenAIProvider({ apiKey, baseUrl: server.baseUrl, model, ...overrides });
}

async function providerErrorFor(response: ScriptedResponse): Promise<ProviderError> {
  server.respondWith(response);
  const error = await rejectionOf(provider().generate({ prompt: 'a red fox', index: 1 }));
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('openai provider: text-to-image', () => {
  it('identifies itself as the real openai provider with the configured model', () => {
    const openai = provider();
    expect({ id: openai.id, modelId: openai.modelId, isDemo: openai.isDemo }).toEqual({ id: 'openai', modelId: model, isDemo: false });
  });

  it('posts JSON to /images/generations with the bearer key and returns the b64_json bytes', async () => {
    server.respondWith(openaiResponses.b64Json());

    const image = await provider().generate({ prompt: 'a red fox', index: 1, aspectRatio: '1:1' });

    expect(image.mimeType).toBe('image/png');
    expect(image.bytes).toEqual(tinyPng());
    expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'png', width: 2, height: 2 });
    expect(image.warnings).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    const [sent] = server.requests;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/images/generations');
    expect(sent.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent.json).toEqual({ model, prompt: 'a red fox', n: 1, size: '1024x1024' });
  });

  it('leaves size to the provider when no aspect ratio is asked for', async () => {
    server.respondWith(openaiResponses.b64Json());
    await provider().generate({ prompt: 'a red fox', index: 1 });
    expect(server.requests[0].json).toEqual({ model, prompt: 'a red fox', n: 1 });
  });

  it.each<[AspectRatio, string, boolean]>([
    ['1:1', '1024x1024', false],
    ['2:3', '1024x1536', false],
    ['3:4', '1024x1536', true],
    ['9:16', '1024x1536', true],
    ['3:2', '1536x1024', false],
    ['4:3', '1536x1024', true],
    ['16:9', '1536x1024', true],
  ])('maps aspect ratio %s to size %s (warning: %s)', async (aspectRatio, size, hasWarning) => {
    server.respondWith(openaiResponses.b64Json({ size }));
    const image = await provider().generate({ prompt: 'p', index: 1, aspectRatio });
    expect((server.requests[0].json as { size?: string }).size).toBe(size);
    expect(image.warnings).toEqual(hasWarning ? [`Aspect ratio ${aspectRatio} is not available on ${model}; generated ${size} instead`] : undefined);
  });

  it.each([
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['png', 'image/png'],
  ] as const)('takes the mime type from output_format %s', async (outputFormat, mimeType) => {
    server.respondWith(openaiResponses.b64Json({ base64: TINY_JPEG_BASE64, outputFormat }));
    const image = await provider().generate({ prompt: 'p', index: 1 });
    expect(image.mimeType).toBe(mimeType);
    expect(image.bytes).toEqual(tinyJpeg());
  });
});

describe('openai provider: image-to-image', () => {
  it('posts multipart to /images/edits with the image as a real PNG file part', async () => {
    server.respondWith(openaiResponses.b64Json());
    const input = tinyPng();

    const image = await provider().generate({ prompt: 'make it blue', index: 1, aspectRatio: '3:2', inputImage: { bytes: input, mimeType: 'image/png' } });

    expect(image.bytes).toEqual(tinyPng());
    const [sent] = server.requests;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/images/edits');
    expect(sent.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent.form?.fields).toEqual({ model, prompt: 'make it blue', n: '1', size: '1536x1024' });
    expect(sent.form?.files).toEqual([{ fieldName: 'image', filename: 'input.png', contentType: 'image/png', bytes: input }]);
  });

  it.each([
    ['image/jpeg', 'input.jpg'],
    ['image/webp', 'input.webp'],
  ] as const)('names a %s upload %s with that content type (never application/octet-stream)', async (mimeType, filename) => {
    server.respondWith(openaiResponses.b64Json());
    await provider().generate({ prompt: 'p', index: 1, inputImage: { bytes: tinyJpeg(), mimeType } });
    expect(server.requests[0].form?.files.map(({ filename: name, contentType }) => ({ name, contentType }))).toEqual([
      { name: filename, contentType: mimeType },
    ]);
  });
});

describe('openai provider: data[].url answers (OpenAI-compatible servers)', () => {
  it('downloads the image from the URL, without sending the API key there', async () => {
    const url = server.hostImage(tinyJpeg(), { contentType: 'image/jpeg' });
    server.respondWith(openaiResponses.url(url));

    const image = await provider().generate({ prompt: 'p', index: 1 });

    expect(image).toEqual({ bytes: tinyJpeg(), mimeType: 'image/jpeg' });
    expect(server.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /v1/images/generations', 'GET /files/image-1']);
    expect(server.requests[1].headers.authorization).toBeUndefined();
  });

  it('resolves a relative URL against the server', async () => {
    server.hostImage(tinyPng());
    server.respondWith(openaiResponses.url('/files/image-1'));
    const image = await provider().generate({ prompt: 'p', index: 1 });
    expect(image.bytes).toEqual(tinyPng());
  });

  it('classifies a failed download as transient with its status', async () => {
    server.respondWith(openaiResponses.url(`${server.origin}/files/missing`));
    const error = await rejectionOf(provider().generate({ prompt: 'p', index: 1 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'transient', status: 404 });
  });

  it('classifies an answer without b64_json or url as transient', async () => {
    const error = await providerErrorFor({ status: 200, body: { created: 1, data: [] } });
    expect(error).toMatchObject({ kind: 'transient', message: 'OpenAI returned no image' });
  });
});

describe('openai provider: errors become ProviderErrors', () => {
  const cases: { name: string; response: ScriptedResponse; kind: ProviderErrorKind; status?: number; retryAfterMs?: number }[] = [
    { name: '429 retry-after 7', response: openaiResponses.rateLimited({ retryAfter: '7' }), kind: 'rate_limited', status: 429, retryAfterMs: 7_000 },
    {
      name: '429 retry-after-ms 1500 (wins over retry-after)',
      response: openaiResponses.rateLimited({ retryAfterMs: '1500', retryAfter: '7' }),
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 1_500,
    },
    {
      name: '429 with only x-ratelimit-reset-requests',
      response: openaiResponses.rateLimited({ resetRequests: '6m0s' }),
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 360_000,
    },
    { name: '429 insufficient_quota', response: openaiResponses.insufficientQuota(), kind: 'invalid_request', status: 429 },
    { name: '400 content_policy_violation', response: openaiResponses.safetyRefusal('content_policy_violation'), kind: 'safety_blocked', status: 400 },
    { name: '400 moderation_blocked', response: openaiResponses.safetyRefusal('moderation_blocked'), kind: 'safety_blocked', status: 400 },
    { name: '400 invalid_value', response: openaiResponses.invalidRequest(), kind: 'invalid_request', status: 400 },
    { name: '401 invalid_api_key', response: openaiResponses.invalidApiKey(), kind: 'auth', status: 401 },
    { name: '403 organization not verified', response: openaiResponses.organizationNotVerified(), kind: 'auth', status: 403 },
    { name: '404 model_not_found', response: openaiResponses.modelNotFound(), kind: 'not_found', status: 404 },
    { name: '500 server_error', response: openaiResponses.serverError(), kind: 'transient', status: 500 },
    { name: '502 HTML page', response: openaiResponses.nonJsonError(502), kind: 'transient', status: 502 },
    { name: '503 overloaded', response: openaiResponses.overloaded(), kind: 'overloaded', status: 503 },
    { name: '504 gateway timeout', response: openaiResponses.error(504, { message: 'Gateway timeout', type: 'server_error' }), kind: 'transient', status: 504 },
    { name: 'malformed JSON success body', response: openaiResponses.malformedJson(), kind: 'transient' },
  ];

  it.each(cases)('$name → $kind', async ({ response, kind, status, retryAfterMs }) => {
    const error = await providerErrorFor(response);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryAfterMs).toBe(retryAfterMs);
    expect(error.details).toBeTruthy();
    expect(error.details!.length).toBeLessThanOrEqual(300);
    expect(`${error.message} ${error.details}`).not.toContain(apiKey);
  });

  it('carries the provider’s own words in details', async () => {
    expect((await providerErrorFor(openaiResponses.overloaded())).details).toBe('The server is overloaded or not ready yet.');
    expect((await providerErrorFor(openaiResponses.safetyRefusal())).message).toBe('OpenAI API error 400 content_policy_violation');
    expect((await providerErrorFor(openaiResponses.nonJsonError(502))).details).toBe('502 Bad Gateway');
  });

  it('scrubs the API key even when the server echoes it', async () => {
    const error = await providerErrorFor(openaiResponses.error(401, { message: `Incorrect API key provided: ${apiKey}.`, type: 'invalid_request_error', code: 'invalid_api_key' }));
    expect(error.details).toBe('Incorrect API key provided: [redacted].');
    expect(error.message).not.toContain(apiKey);
  });

  it('rethrows an abort mid-request as the AbortError, not a ProviderError', async () => {
    server.respondWith({ ...openaiResponses.b64Json(), delayMs: 10_000 });
    const controller = new AbortController();
    const call = provider().generate({ prompt: 'a red fox', index: 1 }, controller.signal);
    await server.waitForRequests(1);
    controller.abort();

    const error = await rejectionOf(call);
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
  });

  it('rethrows an abort during the image download as the AbortError', async () => {
    const controller = new AbortController();
    server.respondWith(openaiResponses.url(server.hostImage(tinyPng(), { delayMs: 10_000 })));
    const call = provider().generate({ prompt: 'p', index: 1 }, controller.signal);
    await server.waitForRequests(2);
    controller.abort();
    const error = await rejectionOf(call);
    expect(error).toBe(controller.signal.reason);
  });

  it('does not call the API with an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(provider().generate({ prompt: 'p', index: 1 }, controller.signal));
    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(0);
  });

  it('classifies a call that outlives timeoutMs as timeout', async () => {
    server.respondWith({ ...openaiResponses.b64Json(), delayMs: 10_000 });
    const error = await rejectionOf(provider({ timeoutMs: 200 }).generate({ prompt: 'slow', index: 1 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'timeout', isRetryable: true });
  });

  it('classifies a body that stalls past timeoutMs as timeout', async () => {
    server.respondWith({ ...openaiResponses.b64Json(), bodyDelayMs: 10_000 });
    const error = await rejectionOf(provider({ timeoutMs: 200 }).generate({ prompt: 'slow body', index: 1 }));
    expect(error).toMatchObject({ kind: 'timeout' });
  });

  it('classifies connection refused as transient', async () => {
    const error = await rejectionOf(provider({ baseUrl: `${await closedLocalUrl()}/v1` }).generate({ prompt: 'p', index: 1 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'transient', message: 'Network error calling OpenAI' });
    expect((error as ProviderError).details).toContain('ECONNREFUSED');
  });

  it('classifies a dropped connection as transient', async () => {
    const error = await providerErrorFor({ status: 200, isConnectionDropped: true });
    expect(error.kind).toBe('transient');
  });
});
