import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type AspectRatio, type InputImage, type ProviderErrorKind } from '@/lib/core';
import {
  closedLocalUrl,
  openaiResponses,
  startFakeOpenAIServer,
  TINY_JPEG_BASE64,
  TINY_PNG_BASE64,
  tinyJpeg,
  tinyPng,
  type FakeOpenAIServer,
  type ScriptedResponse,
  rejectionOf,
} from '../testing';
import { defaultOpenAIModelId, openaiModels } from './openai-models';
import { createOpenAIProvider, type OpenAIProviderOptions } from './openai-provider';

const apiKey = 'test-openai-key-0123456789';
/** Takes any WxH (GPT Image 2.5). */
const model = defaultOpenAIModelId;
/** Takes the three fixed sizes only. */
const fixedSizeModel = 'gpt-image-1.5';

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
  ])('fixed-size model: maps aspect ratio %s to size %s (warning: %s)', async (aspectRatio, size, hasWarning) => {
    server.respondWith(openaiResponses.b64Json({ size }));
    const image = await provider({ model: fixedSizeModel }).generate({ prompt: 'p', index: 1, aspectRatio });
    expect((server.requests[0].json as { size?: string }).size).toBe(size);
    expect(image.warnings).toEqual(hasWarning ? [`Aspect ratio ${aspectRatio} is not available on ${fixedSizeModel}; generated ${size} instead`] : undefined);
  });

  it.each<[Partial<{ size: '2K' | '4K' | `${number}x${number}`; aspectRatio: AspectRatio }>, string]>([
    [{ aspectRatio: '16:9' }, '1088x608'],
    [{ size: '2K', aspectRatio: '16:9' }, '2048x1152'],
    [{ size: '4K' }, '2880x2880'],
    [{ size: '1536x864' }, '1536x864'],
  ])('custom-size model: sends %j as size %s', async (options, size) => {
    server.respondWith(openaiResponses.imageFor());
    const image = await provider().generate({ prompt: 'p', index: 1, ...options });
    expect((server.requests[0].json as { size?: string }).size).toBe(size);
    expect(image.warnings).toBeUndefined();
  });

  it('fixed-size model: sends a fixed size as it is', async () => {
    server.respondWith(openaiResponses.imageFor());
    await provider({ model: fixedSizeModel }).generate({ prompt: 'p', index: 1, size: '1024x1536' });
    expect((server.requests[0].json as { size?: string }).size).toBe('1024x1536');
  });

  it('sends quality, output_format and background when asked for, and only then', async () => {
    server.respondWith(openaiResponses.imageFor(), openaiResponses.imageFor());
    await provider().generate({ prompt: 'p', index: 1, quality: 'high', outputFormat: 'webp', background: 'transparent' });
    await provider().generate({ prompt: 'p', index: 2, quality: 'low' });
    expect(server.requests.map(({ json }) => json)).toEqual([
      { model, prompt: 'p', n: 1, quality: 'high', output_format: 'webp', background: 'transparent' },
      { model, prompt: 'p', n: 1, quality: 'low' },
    ]);
  });

  it('takes the MIME type from the bytes, whatever output_format says', async () => {
    server.respondWith(openaiResponses.b64Json({ base64: TINY_JPEG_BASE64, outputFormat: 'png' }), openaiResponses.imageFor());
    const image = await provider().generate({ prompt: 'p', index: 1 });
    expect(image).toMatchObject({ mimeType: 'image/jpeg', bytes: tinyJpeg() });
    const webp = await provider().generate({ prompt: 'p', index: 2, outputFormat: 'webp' });
    expect(webp.mimeType).toBe('image/webp');
  });

  it.each([
    ['text', Buffer.from('<html>not an image</html>').toString('base64'), 'OpenAI returned data that is not an image'],
    ['nothing', '', 'OpenAI returned no image'],
  ])('refuses b64_json that decodes to %s (transient: another sample usually comes back whole)', async (_, base64, message) => {
    const error = await providerErrorFor(openaiResponses.b64Json({ base64 }));
    expect(error).toMatchObject({ kind: 'transient', isRetryable: true, message });
  });

  it('reports the usage OpenAI sent, in our words', async () => {
    server.respondWith(
      openaiResponses.b64Json({
        usage: { input_tokens: 50, input_tokens_details: { image_tokens: 40, text_tokens: 10 }, output_tokens: 1056, total_tokens: 1106 },
      }),
    );
    const image = await provider().generate({ prompt: 'p', index: 1 });
    expect(image.usage).toEqual({ inputTokens: 50, inputImageTokens: 40, outputTokens: 1056, totalTokens: 1106 });
  });

  it('keeps only the usage fields present, and none without usage', async () => {
    server.respondWith(
      { status: 200, body: { created: 1, data: [{ b64_json: TINY_PNG_BASE64 }], usage: { output_tokens: 272 } } },
      { status: 200, body: { created: 1, data: [{ b64_json: TINY_PNG_BASE64 }] } },
    );
    expect((await provider().generate({ prompt: 'p', index: 1 })).usage).toEqual({ outputTokens: 272 });
    expect(await provider().generate({ prompt: 'p', index: 2 })).not.toHaveProperty('usage');
  });
});

describe('openai provider: image-to-image', () => {
  const png = (): InputImage => ({ bytes: tinyPng(), mimeType: 'image/png' });

  it('posts multipart to /images/edits with the image as a real PNG file part', async () => {
    server.respondWith(openaiResponses.imageFor());
    const input = tinyPng();

    const image = await provider().generate({ prompt: 'make it blue', index: 1, aspectRatio: '3:2', inputImages: [{ bytes: input, mimeType: 'image/png' }] });

    expect(image.bytes).toEqual(tinyPng());
    const [sent] = server.requests;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/images/edits');
    expect(sent.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent.form?.fields).toEqual({ model, prompt: 'make it blue', n: '1', size: '1024x688' });
    expect(sent.form?.files).toEqual([{ fieldName: 'image', filename: 'input.png', contentType: 'image/png', bytes: input }]);
  });

  it.each([
    ['image/jpeg', 'input.jpg'],
    ['image/webp', 'input.webp'],
  ] as const)('names a %s upload %s with that content type (never application/octet-stream)', async (mimeType, filename) => {
    server.respondWith(openaiResponses.b64Json());
    await provider().generate({ prompt: 'p', index: 1, inputImages: [{ bytes: tinyJpeg(), mimeType }] });
    expect(server.requests[0].form?.files.map(({ filename: name, contentType }) => ({ name, contentType }))).toEqual([
      { name: filename, contentType: mimeType },
    ]);
  });

  it('sends several input images as image[] parts, each with its own type, and the options', async () => {
    server.respondWith(openaiResponses.imageFor());
    const inputImages: InputImage[] = [png(), { bytes: tinyJpeg(), mimeType: 'image/jpeg' }, { bytes: tinyJpeg(), mimeType: 'image/webp' }];

    const image = await provider().generate({ prompt: 'combine', index: 1, inputImages, quality: 'medium', outputFormat: 'jpeg', background: 'opaque' });

    expect(image.mimeType).toBe('image/jpeg');
    const [sent] = server.requests;
    expect(sent.form?.fields).toEqual({ model, prompt: 'combine', n: '1', quality: 'medium', output_format: 'jpeg', background: 'opaque' });
    expect(sent.form?.files.map(({ fieldName, filename, contentType }) => [fieldName, filename, contentType])).toEqual([
      ['image[]', 'input-1.png', 'image/png'],
      ['image[]', 'input-2.jpg', 'image/jpeg'],
      ['image[]', 'input-3.webp', 'image/webp'],
    ]);
    expect(image.usage?.inputImageTokens).toBeGreaterThan(0);
  });

  it('gets the fake’s 400 for more input images than the model takes (invalid_request)', async () => {
    const error = await rejectionOf(provider().generate({ prompt: 'p', index: 1, inputImages: Array.from({ length: 17 }, png) }));
    expect(error).toMatchObject({ kind: 'invalid_request', status: 400 });
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

  it('takes the MIME type from the downloaded bytes, not the Content-Type', async () => {
    server.respondWith(openaiResponses.url(server.hostImage(tinyJpeg(), { contentType: 'application/octet-stream' })));
    expect((await provider().generate({ prompt: 'p', index: 1 })).mimeType).toBe('image/jpeg');
  });

  it('refuses a download that is not an image', async () => {
    server.respondWith(openaiResponses.url(server.hostImage(new Uint8Array(Buffer.from('<html>gone</html>')), { contentType: 'image/png' })));
    const error = await rejectionOf(provider().generate({ prompt: 'p', index: 1 }));
    expect(error).toMatchObject({ kind: 'transient', message: 'OpenAI returned data that is not an image' });
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
    { name: '429 insufficient_quota', response: openaiResponses.insufficientQuota(), kind: 'quota_exhausted', status: 429 },
    {
      name: '429 credit_balance_exhausted',
      response: openaiResponses.error(429, { message: 'Your credit balance is exhausted.', type: 'billing_error', code: 'credit_balance_exhausted' }),
      kind: 'quota_exhausted',
      status: 429,
    },
    { name: '400 content_policy_violation', response: openaiResponses.safetyRefusal('content_policy_violation'), kind: 'safety_blocked', status: 400 },
    { name: '400 moderation_blocked', response: openaiResponses.moderationBlocked(), kind: 'safety_blocked', status: 400 },
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

  it('does not retry an exhausted quota, and says to check billing', async () => {
    const error = await providerErrorFor(openaiResponses.insufficientQuota());
    expect(error).toMatchObject({ kind: 'quota_exhausted', isRetryable: false, retryAfterMs: undefined });
    expect(error.message).toMatch(/no OpenAI credit or quota left.*billing/i);
    expect(error.details).toMatch(/^You exceeded your current quota/);
  });

  it('classifies what the SDK refuses before sending anything as invalid_request', async () => {
    const error = await rejectionOf(provider({ baseUrl: 'http://[::1/v1' }).generate({ prompt: 'p', index: 1 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'invalid_request', isRetryable: false, details: 'Invalid URL' });
    expect(server.requests).toHaveLength(0);
  });

  it('gets the fake’s 404 model_not_found for a shut-down model (not_found)', async () => {
    const error = await rejectionOf(provider({ model: 'gpt-image-1' }).generate({ prompt: 'p', index: 1 }));
    expect(error).toMatchObject({ kind: 'not_found', status: 404, details: 'The model `gpt-image-1` does not exist or you do not have access to it.' });
  });

  it('gets the fake’s 400 for a size a fixed-size model does not take (invalid_request)', async () => {
    const error = await rejectionOf(provider({ model: fixedSizeModel, capabilities: openaiModels[0]!.capabilities }).generate({ prompt: 'p', index: 1, size: '1536x864' }));
    expect(error).toMatchObject({
      kind: 'invalid_request',
      status: 400,
      details: "Invalid value: '1536x864'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.",
    });
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
