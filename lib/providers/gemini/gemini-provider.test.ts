import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type ProviderErrorKind } from '@/lib/core';
import {
  closedLocalUrl,
  geminiResponses,
  TINY_PNG_BASE64,
  startFakeGeminiServer,
  TINY_JPEG_BASE64,
  tinyJpeg,
  tinyPng,
  type FakeGeminiServer,
  type ScriptedResponse,
  rejectionOf,
} from '../testing';
import { defaultGeminiModelId, geminiModels, retiredGeminiModelIds } from './gemini-models';
import { createGeminiProvider, type GeminiProviderOptions } from './gemini-provider';

const apiKey = 'AIzaFakeKeyForTests_0123456789abcdefghi';
const model = defaultGeminiModelId;

let server: FakeGeminiServer;
beforeEach(async () => {
  server = await startFakeGeminiServer();
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<GeminiProviderOptions> = {}) {
  return createGeminiProvider({ apiKey, baseUrl: server.baseUrl, model, ...overrides });
}

async function providerErrorFor(response: ScriptedResponse): Promise<ProviderError> {
  server.respondWith(response);
  const error = await rejectionOf(provider().generate({ prompt: 'a red fox', index: 1 }));
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('gemini provider: requests and images', () => {
  it('identifies itself as the real gemini provider with the configured model', () => {
    const gemini = provider();
    expect({ id: gemini.id, modelId: gemini.modelId, isDemo: gemini.isDemo }).toEqual({ id: 'gemini', modelId: model, isDemo: false });
  });

  it('sends text-to-image as generateContent on v1beta with the key header, and returns the image bytes', async () => {
    server.respondWith(geminiResponses.image({ textBefore: 'Here is your fox.', textAfter: 'Enjoy!' }));

    const image = await provider().generate({ prompt: 'a red fox', index: 1, aspectRatio: '16:9' });

    expect(image.mimeType).toBe('image/png');
    expect(image.bytes).toEqual(tinyPng());
    expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'png', width: 2, height: 2 });
    expect(image.warnings).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    const [sent] = server.requests;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe(`/v1beta/models/${model}:generateContent`);
    expect(sent.headers['x-goog-api-key']).toBe(apiKey);
    expect(sent.json).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'a red fox' }] }],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '16:9' } },
    });
  });

  it('leaves imageConfig out when no aspect ratio is asked for', async () => {
    server.respondWith(geminiResponses.image());
    await provider().generate({ prompt: 'a red fox', index: 1 });
    expect(server.requests[0].json).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'a red fox' }] }],
      generationConfig: { responseModalities: ['IMAGE'] },
    });
  });

  it('sends image-to-image as a text part plus an inlineData part with the input bytes in base64', async () => {
    server.respondWith(geminiResponses.image());
    await provider().generate({
      prompt: 'make it blue',
      index: 2,
      aspectRatio: '1:1',
      inputImages: [{ bytes: tinyJpeg(), mimeType: 'image/jpeg' }],
    });
    expect(server.requests[0].json).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'make it blue' }, { inlineData: { mimeType: 'image/jpeg', data: TINY_JPEG_BASE64 } }] },
      ],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1' } },
    });
  });

  it('sends several input images as several inlineData parts after the text, in order', async () => {
    server.respondWith(geminiResponses.image());
    await provider().generate({
      prompt: 'put the fox on the sofa',
      index: 1,
      inputImages: [
        { bytes: tinyJpeg(), mimeType: 'image/jpeg' },
        { bytes: tinyPng(), mimeType: 'image/png' },
      ],
    });
    expect(server.requests[0].json).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'put the fox on the sofa' },
            { inlineData: { mimeType: 'image/jpeg', data: TINY_JPEG_BASE64 } },
            { inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } },
          ],
        },
      ],
      generationConfig: { responseModalities: ['IMAGE'] },
    });
  });

  it('maps aspectRatio and size to imageConfig.aspectRatio and imageConfig.imageSize', async () => {
    server.respondWith(geminiResponses.image(), geminiResponses.image());
    await provider().generate({ prompt: 'wide', index: 1, aspectRatio: '21:9', size: '4K' });
    await provider().generate({ prompt: 'sized only', index: 2, size: '2K' });
    expect(server.requests.map((request) => (request.json as { generationConfig: unknown }).generationConfig)).toEqual([
      { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '21:9', imageSize: '4K' } },
      { responseModalities: ['IMAGE'], imageConfig: { imageSize: '2K' } },
    ]);
  });

  it('leaves out what Gemini cannot take, with a warning: exact pixels, a size on a one-size model', async () => {
    const oneSize = geminiModels.find((known) => known.capabilities.sizes.length === 0)!;
    server.respondWith(geminiResponses.image(), geminiResponses.image());
    const exact = await provider().generate({ prompt: 'x', index: 1, size: '1536x864', aspectRatio: '16:9' });
    const lite = await provider({ model: oneSize.id, capabilities: oneSize.capabilities }).generate({ prompt: 'x', index: 2, size: '2K' });
    expect(server.requests.map((request) => (request.json as { generationConfig: unknown }).generationConfig)).toEqual([
      { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '16:9' } },
      { responseModalities: ['IMAGE'] },
    ]);
    expect(exact.warnings).toEqual([expect.stringContaining('1536x864')]);
    expect(lite.warnings).toEqual([expect.stringContaining('2K')]);
  });

  it('takes the last image when the answer holds several, typed by its bytes', async () => {
    server.respondWith(geminiResponses.image({ base64: TINY_PNG_BASE64, mimeType: 'image/png', extraImagesBase64: [TINY_JPEG_BASE64] }));
    const image = await provider().generate({ prompt: 'two foxes', index: 1 });
    expect(image.mimeType).toBe('image/jpeg');
    expect(image.bytes).toEqual(tinyJpeg());
  });

  it('reaches Google’s public endpoint path on the fake when only the base URL is overridden', async () => {
    server.respondWith(geminiResponses.image());
    await provider({ model: 'gemini-3-pro-image' }).generate({ prompt: 'x', index: 1 });
    expect(server.requests[0].path).toBe('/v1beta/models/gemini-3-pro-image:generateContent');
  });
});

describe('gemini provider: thought images, checked bytes, usage', () => {
  it('skips thought drafts and returns the final image (the part with the thoughtSignature)', async () => {
    server.respondWith(geminiResponses.thoughtImages({ thoughtImagesBase64: [TINY_JPEG_BASE64, TINY_JPEG_BASE64] }));
    const image = await provider().generate({ prompt: 'a red fox', index: 1 });
    expect(image).toMatchObject({ mimeType: 'image/png', bytes: tinyPng() });
  });

  it('returns the last thought image when every image is a thought', async () => {
    server.respondWith(
      geminiResponses.allThoughtImages({ imagesBase64: [TINY_PNG_BASE64, TINY_JPEG_BASE64] }),
      geminiResponses.allThoughtImages({ imagesBase64: [TINY_JPEG_BASE64, TINY_PNG_BASE64] }),
    );
    expect((await provider().generate({ prompt: 'x', index: 1 })).bytes).toEqual(tinyJpeg());
    expect((await provider().generate({ prompt: 'x', index: 2 })).bytes).toEqual(tinyPng());
  });

  it('reports the type the bytes are, whatever the part says', async () => {
    server.respondWith(geminiResponses.image({ base64: TINY_JPEG_BASE64, mimeType: 'image/png' }));
    const image = await provider().generate({ prompt: 'x', index: 1 });
    expect(image.mimeType).toBe('image/jpeg');
  });

  it('fails an image part whose bytes are not an image (transient), never returning them', async () => {
    const error = await providerErrorFor(geminiResponses.image({ base64: Buffer.from('<html>not an image</html>').toString('base64') }));
    expect(error).toMatchObject({ kind: 'transient', isRetryable: true, message: 'Gemini returned data that is not an image' });
  });

  it('reports usageMetadata as usage, thinking included', async () => {
    server.respondWith(geminiResponses.thoughtImages());
    const image = await provider().generate({ prompt: 'x', index: 1 });
    expect(image.usage).toEqual({ inputTokens: 10, outputTokens: 1120, thoughtTokens: 180, totalTokens: 1310 });
  });

  it('reports only the counts present, and no usage without usageMetadata', async () => {
    server.respondWith(
      geminiResponses.image({ usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 1290, totalTokenCount: 1302 } }),
      geminiResponses.image({ usageMetadata: null }),
    );
    expect((await provider().generate({ prompt: 'x', index: 1 })).usage).toEqual({ inputTokens: 12, outputTokens: 1290, totalTokens: 1302 });
    expect((await provider().generate({ prompt: 'x', index: 2 })).usage).toBeUndefined();
  });
});

describe('gemini provider: errors become ProviderErrors', () => {
  const cases: { name: string; response: ScriptedResponse; kind: ProviderErrorKind; status?: number; retryAfterMs?: number }[] = [
    { name: '429 with RetryInfo 53s', response: geminiResponses.rateLimited(), kind: 'rate_limited', status: 429, retryAfterMs: 53_000 },
    { name: '429 with RetryInfo 1.5s', response: geminiResponses.rateLimited({ retryDelay: '1.5s' }), kind: 'rate_limited', status: 429, retryAfterMs: 1_500 },
    { name: '429 with RetryInfo 0.5s', response: geminiResponses.rateLimited({ retryDelay: '0.5s' }), kind: 'rate_limited', status: 429, retryAfterMs: 500 },
    {
      name: '429 without RetryInfo (delay read from the message)',
      response: geminiResponses.rateLimited({ retryDelay: '21s', hasRetryInfo: false }),
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: 21_000,
    },
    { name: '503 UNAVAILABLE', response: geminiResponses.overloaded(), kind: 'overloaded', status: 503 },
    { name: '500 INTERNAL', response: geminiResponses.internal(), kind: 'transient', status: 500 },
    { name: '502 HTML page', response: geminiResponses.nonJsonError(502), kind: 'transient', status: 502 },
    { name: '504 DEADLINE_EXCEEDED', response: geminiResponses.error(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'), kind: 'transient', status: 504 },
    { name: '400 INVALID_ARGUMENT', response: geminiResponses.invalidArgument(), kind: 'invalid_request', status: 400 },
    { name: '400 API_KEY_INVALID', response: geminiResponses.invalidApiKey(), kind: 'auth', status: 400 },
    { name: '403 PERMISSION_DENIED', response: geminiResponses.permissionDenied(), kind: 'auth', status: 403 },
    { name: '404 NOT_FOUND (retired model)', response: geminiResponses.modelNotFound(), kind: 'not_found', status: 404 },
    { name: 'finishReason IMAGE_SAFETY', response: geminiResponses.noImage('IMAGE_SAFETY'), kind: 'safety_blocked' },
    { name: 'finishReason IMAGE_PROHIBITED_CONTENT', response: geminiResponses.noImage('IMAGE_PROHIBITED_CONTENT'), kind: 'safety_blocked' },
    { name: 'finishReason SAFETY', response: geminiResponses.noImage('SAFETY'), kind: 'safety_blocked' },
    { name: 'finishReason IMAGE_RECITATION', response: geminiResponses.noImage('IMAGE_RECITATION'), kind: 'safety_blocked' },
    { name: 'promptFeedback.blockReason', response: geminiResponses.promptBlocked('PROHIBITED_CONTENT'), kind: 'safety_blocked' },
    { name: 'STOP with only text', response: geminiResponses.textOnly(), kind: 'invalid_request' },
    { name: 'finishReason NO_IMAGE', response: geminiResponses.noImage('NO_IMAGE'), kind: 'transient' },
    { name: 'finishReason IMAGE_OTHER', response: geminiResponses.noImage('IMAGE_OTHER'), kind: 'transient' },
    { name: 'finishReason LANGUAGE', response: geminiResponses.noImage('LANGUAGE'), kind: 'invalid_request' },
    { name: 'empty candidate (no parts) IMAGE_SAFETY', response: geminiResponses.emptyCandidate('IMAGE_SAFETY'), kind: 'safety_blocked' },
    { name: 'empty candidate (no parts) IMAGE_OTHER', response: geminiResponses.emptyCandidate('IMAGE_OTHER', 'Unable to show the generated image.'), kind: 'transient' },
    { name: '429 free-tier per-day quota, limit 0', response: geminiResponses.freeTierDailyQuotaExhausted(), kind: 'quota_exhausted', status: 429 },
    { name: '429 paid per-day quota', response: geminiResponses.dailyQuotaExhausted(), kind: 'quota_exhausted', status: 429 },
    { name: 'malformed JSON success body', response: geminiResponses.malformedJson(), kind: 'transient' },
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

  it('treats a per-day quota as exhausted until the next Pacific midnight, not as a rate limit', async () => {
    const beforeMs = Date.now();
    const error = await providerErrorFor(geminiResponses.dailyQuotaExhausted({ limit: 250 }));
    expect(error).toMatchObject({ kind: 'quota_exhausted', isRetryable: false, retryAfterMs: undefined });
    expect(error.message).toContain('daily');
    expect(error.details).toContain('limit: 250');
    expect(error.resetsAtMs).toBeGreaterThan(beforeMs);
    expect(error.resetsAtMs! - beforeMs).toBeLessThanOrEqual(25 * 3_600_000);
  });

  it('says there is no quota at all for a limit of 0', async () => {
    const error = await providerErrorFor(geminiResponses.freeTierDailyQuotaExhausted());
    expect(error.message).toContain('no daily quota');
    expect(error.details).toContain('limit: 0');
  });

  it('gets Google’s 404 from the fake for every retired model id, as not_found', async () => {
    for (const retired of retiredGeminiModelIds) {
      const error = await rejectionOf(provider({ model: retired }).generate({ prompt: 'x', index: 1 }));
      expect(error).toMatchObject({ kind: 'not_found', status: 404 });
      expect((error as ProviderError).details).toBe(
        `models/${retired} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      );
    }
  });

  it('gets Google’s 400 from the fake for an aspect ratio the model does not take, as invalid_request', async () => {
    const error = await rejectionOf(provider({ model: 'gemini-3-pro-image' }).generate({ prompt: 'x', index: 1, aspectRatio: '8:1' }));
    expect(error).toMatchObject({ kind: 'invalid_request', status: 400, isRetryable: false });
    expect((error as ProviderError).details).toContain('image_config.aspect_ratio: aspect_ratio must be one of');
  });

  it.each(['gemini..image', 'gemini-image?alt=sse'])('classifies the SDK refusing model %j before sending anything as invalid_request', async (badModel) => {
    const error = await rejectionOf(provider({ model: badModel }).generate({ prompt: 'x', index: 1 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'invalid_request', isRetryable: false, details: 'invalid model parameter' });
    expect(server.requests).toHaveLength(0);
  });

  it('carries the provider’s own words in details', async () => {
    expect((await providerErrorFor(geminiResponses.overloaded())).details).toBe('The model is overloaded. Please try again later.');
    // The SDK (3.1.0) drops `finishMessage` from Gemini API answers; the finish reason is what remains.
    expect((await providerErrorFor(geminiResponses.noImage('IMAGE_SAFETY', { finishMessage: 'Unable to show the generated image.' }))).details).toBe(
      'finishReason: IMAGE_SAFETY',
    );
    expect((await providerErrorFor(geminiResponses.promptBlocked('SAFETY'))).details).toBe('blockReason: SAFETY');
    expect((await providerErrorFor(geminiResponses.textOnly('I can only describe it.'))).details).toBe('finishReason: STOP; I can only describe it.');
    expect((await providerErrorFor(geminiResponses.nonJsonError(502))).details).toBe('502 Bad Gateway Bad Gateway');
  });

  it('scrubs the API key even when the provider echoes it', async () => {
    const error = await providerErrorFor(geminiResponses.invalidArgument(`API key ${apiKey} is not valid for this project.`));
    expect(error.details).toBe('API key [redacted] is not valid for this project.');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(apiKey);
  });

  it('rethrows an abort mid-request as the AbortError, not a ProviderError', async () => {
    server.respondWith({ ...geminiResponses.image(), delayMs: 10_000 });
    const controller = new AbortController();
    const call = provider().generate({ prompt: 'a red fox', index: 1 }, controller.signal);
    await server.waitForRequests(1);
    controller.abort();

    const error = await rejectionOf(call);
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
  });

  it('does not call the API with an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(provider().generate({ prompt: 'a red fox', index: 1 }, controller.signal));
    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(0);
  });

  it('classifies a call that outlives timeoutMs as timeout (no answer yet)', async () => {
    server.respondWith({ ...geminiResponses.image(), delayMs: 10_000 });
    const error = await rejectionOf(provider({ timeoutMs: 200 }).generate({ prompt: 'slow', index: 1 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('timeout');
    expect((error as ProviderError).isRetryable).toBe(true);
  });

  it('classifies a body that stalls past timeoutMs as timeout', async () => {
    server.respondWith({ ...geminiResponses.image(), bodyDelayMs: 10_000 });
    const error = await rejectionOf(provider({ timeoutMs: 200 }).generate({ prompt: 'slow body', index: 1 }));
    expect((error as ProviderError).kind).toBe('timeout');
  });

  it('classifies connection refused as transient', async () => {
    const error = await rejectionOf(provider({ baseUrl: await closedLocalUrl() }).generate({ prompt: 'x', index: 1 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('transient');
    expect((error as ProviderError).details).toContain('ECONNREFUSED');
  });

  it('classifies a dropped connection as transient', async () => {
    const error = await providerErrorFor({ status: 200, isConnectionDropped: true });
    expect(error.kind).toBe('transient');
    expect(error.status).toBeUndefined();
  });
});
