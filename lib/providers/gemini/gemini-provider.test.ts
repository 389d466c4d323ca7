import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type ProviderErrorKind } from '@/lib/core';
import {
  closedLocalUrl,
  geminiResponses,
  startFakeGeminiServer,
  TINY_JPEG_BASE64,
  tinyJpeg,
  tinyPng,
  type FakeGeminiServer,
  type ScriptedResponse,
  rejectionOf,
} from '../testing';
import { createGeminiProvider, type GeminiProviderOptions } from './gemini-provider';

const apiKey = 'AIzaFakeKeyForTests_0123456789abcdefghi';
const model = 'gemini-2.5-flash-image';

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
      inputImage: { bytes: tinyJpeg(), mimeType: 'image/jpeg' },
    });
    expect(server.requests[0].json).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'make it blue' }, { inlineData: { mimeType: 'image/jpeg', data: TINY_JPEG_BASE64 } }] },
      ],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1' } },
    });
  });

  it('takes the first image when the answer holds several, with its own mime type', async () => {
    server.respondWith(
      geminiResponses.image({ base64: TINY_JPEG_BASE64, mimeType: 'image/jpeg', extraImagesBase64: [Buffer.from(tinyPng()).toString('base64')] }),
    );
    const image = await provider().generate({ prompt: 'two foxes', index: 1 });
    expect(image.mimeType).toBe('image/jpeg');
    expect(image.bytes).toEqual(tinyJpeg());
  });

  it('reaches Google’s public endpoint path on the fake when only the base URL is overridden', async () => {
    server.respondWith(geminiResponses.image());
    await provider({ model: 'gemini-3-pro-image-preview' }).generate({ prompt: 'x', index: 1 });
    expect(server.requests[0].path).toBe('/v1beta/models/gemini-3-pro-image-preview:generateContent');
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
