import { afterEach, describe, expect, it } from 'vitest';
import { startFakeHttpServer, type FakeHttpServer } from './fake-http-server';
import { geminiModelOf, geminiResponses, startFakeGeminiServer } from './fake-gemini-server';
import { defaultOpenAIModelId } from '../openai/openai-models';
import { openaiResponses, startFakeOpenAIServer } from './fake-openai-server';
import { defaultGeminiModelId, geminiModels, retiredGeminiModelIds } from '../gemini/gemini-models';
import { tinyPng } from './test-images';

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function track<T extends FakeHttpServer>(start: Promise<T>): Promise<T> {
  const server = await start;
  servers.push(server);
  return server;
}

/** A generateContent request with the given imageConfig, as the SDK sends it. */
function postGemini(baseUrl: string, model: string, imageConfig: Record<string, unknown>): Promise<Response> {
  const generationConfig = { responseModalities: ['IMAGE'], ...(Object.keys(imageConfig).length > 0 ? { imageConfig } : {}) };
  return fetch(`${baseUrl}/v1beta/models/${model}:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 'k', 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'a fox' }] }], generationConfig }),
  });
}

describe('fake http server', () => {
  it('answers from the queue in order, then from respondAlways, and records every request', async () => {
    const server = await track(startFakeHttpServer({ name: 'fake' }));
    server.respondWith({ status: 201, body: 'first' }, (request) => ({ status: 202, body: { echo: request.json } }));
    server.respondAlways({ status: 299, body: 'steady' });

    const first = await fetch(`${server.baseUrl}/a`, { method: 'POST', body: 'x' });
    const second = await fetch(`${server.baseUrl}/b?q=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":2}' });
    const third = await fetch(`${server.baseUrl}/c`);
    const fourth = await fetch(`${server.baseUrl}/d`);

    expect([first.status, await first.text()]).toEqual([201, 'first']);
    expect([second.status, await second.json()]).toEqual([202, { echo: { n: 2 } }]);
    expect(second.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect([third.status, fourth.status]).toEqual([299, 299]);
    expect(server.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /a', 'POST /b?q=1', 'GET /c', 'GET /d']);
    expect(Buffer.from(server.requests[0].rawBody).toString()).toBe('x');
  });

  it('answers an unscripted request with a 501 that names it', async () => {
    const server = await track(startFakeHttpServer({ name: 'fake' }));
    const response = await fetch(`${server.baseUrl}/nothing`, { method: 'DELETE' });
    expect(response.status).toBe(501);
    expect(await response.text()).toBe('fake: no response scripted for DELETE /nothing');
  });

  it('parses multipart bodies into fields and file parts', async () => {
    const server = await track(startFakeHttpServer({ name: 'fake' }));
    server.respondWith({ status: 204 });
    const form = new FormData();
    form.append('prompt', 'hello');
    form.append('image', new File([tinyPng()], 'input.png', { type: 'image/png' }));
    await fetch(server.baseUrl, { method: 'POST', body: form });
    expect(server.requests[0].form).toEqual({
      fields: { prompt: 'hello' },
      files: [{ fieldName: 'image', filename: 'input.png', contentType: 'image/png', bytes: tinyPng() }],
    });
  });

  it('resolves waitForRequests once enough requests have arrived, and close() ends delayed answers', async () => {
    const server = await track(startFakeHttpServer({ name: 'fake' }));
    server.respondAlways({ status: 200, body: 'late', delayMs: 60_000 });
    const pending = fetch(server.baseUrl).catch((error: unknown) => error);
    const [request] = await server.waitForRequests(1);
    expect(request.method).toBe('GET');
    await server.close();
    expect(await pending).toBeInstanceOf(TypeError);
  });
});

describe('fake provider servers', () => {
  it('gemini: only generateContent reaches the script; a missing key gets Google’s 403', async () => {
    const server = await track(startFakeGeminiServer());
    server.respondAlways(geminiResponses.image());
    const path = `/v1beta/models/${defaultGeminiModelId}:generateContent`;
    const wrongPath = await fetch(`${server.baseUrl}/v1/models/${defaultGeminiModelId}:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': 'k' } });
    const noKey = await fetch(`${server.baseUrl}${path}`, { method: 'POST' });
    const ok = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'x-goog-api-key': 'k' } });
    expect([wrongPath.status, noKey.status, ok.status]).toEqual([404, 403, 200]);
    expect(((await noKey.json()) as { error: { status: string } }).error.status).toBe('PERMISSION_DENIED');
    expect(geminiModelOf(server.requests[2])).toBe(defaultGeminiModelId);
  });

  it('gemini: a model that is not a current one gets Google’s 404, without consuming the script', async () => {
    const server = await track(startFakeGeminiServer());
    server.respondWith(geminiResponses.image());
    for (const model of [...retiredGeminiModelIds, 'gemini-nano-banana-2.1-preview', 'gemini-typo-image']) {
      const response = await postGemini(server.baseUrl, model, {});
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: {
          code: 404,
          message: `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
          status: 'NOT_FOUND',
        },
      });
    }
    for (const known of geminiModels) expect((await postGemini(server.baseUrl, known.id, {})).status).not.toBe(404);
  });

  it('gemini: extraModels opts other ids in, with what every Gemini image model takes (no imageSize)', async () => {
    const server = await track(startFakeGeminiServer({ extraModels: ['gemini-2.5-flash-image'] }));
    server.respondAlways(geminiResponses.image());
    expect((await postGemini(server.baseUrl, 'gemini-2.5-flash-image', { aspectRatio: '16:9' })).status).toBe(200);
    expect((await postGemini(server.baseUrl, 'gemini-2.5-flash-image', { imageSize: '2K' })).status).toBe(400);
  });

  it('gemini: imageConfig the model does not take gets 400 INVALID_ARGUMENT in Google’s words', async () => {
    const server = await track(startFakeGeminiServer());
    server.respondAlways(geminiResponses.image());
    const oneSize = geminiModels.find((known) => known.capabilities.sizes.length === 0)!;
    const cases: [string, Record<string, unknown>, number, string?][] = [
      ['gemini-3-pro-image', { aspectRatio: '16:9', imageSize: '4K' }, 200],
      ['gemini-nano-banana-2.1', { aspectRatio: '8:1' }, 200],
      ['gemini-3-pro-image', { aspectRatio: '8:1' }, 400, "image_config.aspect_ratio: aspect_ratio must be one of '1:1', '2:3'"],
      ['gemini-3-pro-image', { aspectRatio: '7:3' }, 400, "or '21:9'"],
      ['gemini-3-pro-image', { imageSize: '8K' }, 400, "image_config.image_size: image_size must be one of '1K', '2K', or '4K'"],
      ['gemini-3-pro-image', { imageSize: '1k' }, 400, 'image_size must be one of'],
      [oneSize.id, { imageSize: '1K' }, 400, `image_size is not supported for models/${oneSize.id}`],
    ];
    for (const [model, imageConfig, status, message] of cases) {
      const response = await postGemini(server.baseUrl, model, imageConfig);
      expect([model, imageConfig, response.status]).toEqual([model, imageConfig, status]);
      if (message) {
        const body = (await response.json()) as { error: { status: string; message: string } };
        expect(body.error.status).toBe('INVALID_ARGUMENT');
        expect(body.error.message).toContain(message);
        expect(body.error.message.startsWith('* GenerateContentRequest.generation_config.image_config.')).toBe(true);
      }
    }
  });

  it('gemini: success bodies echo the requested model as modelVersion (scripted objects and functions alike)', async () => {
    const server = await track(startFakeGeminiServer());
    server.respondWith(geminiResponses.image(), () => geminiResponses.thoughtImages(), geminiResponses.image({ modelVersion: 'pinned' }));
    const versions = [];
    for (const model of ['gemini-3-pro-image', defaultGeminiModelId, defaultGeminiModelId]) {
      versions.push(((await (await postGemini(server.baseUrl, model, {})).json()) as { modelVersion: string }).modelVersion);
    }
    expect(versions).toEqual(['gemini-3-pro-image', defaultGeminiModelId, 'pinned']);
  });

  it('gemini: the 429 carries QuotaFailure and RetryInfo details', () => {
    const body = geminiResponses.rateLimited({ retryDelay: '12s' }).body as { error: { details: { '@type': string }[]; message: string } };
    expect(body.error.details.map((detail) => detail['@type'].split('.').at(-1))).toEqual(['QuotaFailure', 'Help', 'RetryInfo']);
    expect(body.error.message.endsWith('Please retry in 12.0s.')).toBe(true);
  });

  it('gemini: the per-day 429s name a PerDay quota; the free-tier one is the recorded shape', () => {
    type QuotaBody = { error: { code: number; status: string; message: string; details: { '@type': string; violations?: { quotaId: string }[]; retryDelay?: string }[] } };
    const free = geminiResponses.freeTierDailyQuotaExhausted().body as QuotaBody;
    expect(free.error.details.map((detail) => detail['@type'].split('.').at(-1))).toEqual(['Help', 'QuotaFailure', 'RetryInfo']);
    expect(free.error.details[1]!.violations!.map((violation) => violation.quotaId)).toEqual([
      'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
      'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
    ]);
    expect(free.error.details[2]!.retryDelay).toBe('16s');
    expect(free.error.message).toContain('\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-2.5-flash-preview-image\nPlease retry in 16.34553186s.');
    const paid = geminiResponses.dailyQuotaExhausted({ limit: 500 }).body as QuotaBody;
    expect(paid.error.message).toContain('limit: 500,');
    expect(paid.error.details[1]!.violations!.map((violation) => violation.quotaId)).toEqual(['GenerateRequestsPerDayPerProjectPerModel']);
  });

  it('gemini: thought-image and empty-candidate answers have Gemini 3’s shapes', () => {
    type Body = { candidates: { content: { role: string; parts?: Record<string, unknown>[] }; finishReason: string; finishMessage?: string }[]; usageMetadata?: Record<string, number> };
    const thinking = geminiResponses.thoughtImages().body as Body;
    const parts = thinking.candidates[0]!.content.parts!;
    expect(parts.map((part) => [Boolean(part.text), Boolean(part.inlineData), part.thought === true, typeof part.thoughtSignature === 'string'])).toEqual([
      [true, false, true, false],
      [false, true, true, false],
      [false, true, false, true],
    ]);
    expect(thinking.usageMetadata).toMatchObject({ thoughtsTokenCount: 180, candidatesTokenCount: 1120 });
    const allThoughts = geminiResponses.allThoughtImages().body as Body;
    expect(allThoughts.candidates[0]!.content.parts!.filter((part) => part.inlineData).every((part) => part.thought === true)).toBe(true);
    const empty = geminiResponses.emptyCandidate('IMAGE_SAFETY', 'Unable to show the generated image.').body as Body;
    expect(empty.candidates[0]).toEqual({ content: { role: 'model' }, finishReason: 'IMAGE_SAFETY', finishMessage: 'Unable to show the generated image.', index: 0 });
  });

  it('openai: only images endpoints reach the script; no bearer gets OpenAI’s 401; hosted files are served', async () => {
    const server = await track(startFakeOpenAIServer());
    server.respondAlways(openaiResponses.b64Json());
    const url = server.hostImage(tinyPng());
    const wrongPath = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' } });
    const noKey = await fetch(`${server.baseUrl}/images/generations`, { method: 'POST' });
    const ok = await postGeneration(server.baseUrl, { model: defaultOpenAIModelId, prompt: 'p' });
    const file = await fetch(url);
    expect([wrongPath.status, noKey.status, ok.status, file.status]).toEqual([404, 401, 200, 200]);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(tinyPng());
  });

  it('openai: the 429 sends retry headers and x-ratelimit-* headers', async () => {
    const server = await track(startFakeOpenAIServer());
    server.respondWith(openaiResponses.rateLimited({ retryAfter: '7', retryAfterMs: '6500' }));
    const response = await postGeneration(server.baseUrl, { model: defaultOpenAIModelId, prompt: 'p' });
    expect(response.status).toBe(429);
    expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('retry') || name.startsWith('x-ratelimit')))).toEqual({
      'retry-after': '7',
      'retry-after-ms': '6500',
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '12s',
    });
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
  });
});

function postGeneration(baseUrl: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}/images/generations`, {
    method: 'POST',
    headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function postEdit(baseUrl: string, fields: Record<string, string>, images: { type: string; bytes?: Uint8Array<ArrayBuffer> }[]): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const field = images.length === 1 ? 'image' : 'image[]';
  for (const [index, { type, bytes = tinyPng() }] of images.entries()) form.append(field, new Blob([bytes], { type }), `in-${index}.png`);
  return fetch(`${baseUrl}/images/edits`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: form });
}

async function errorOf(response: Response): Promise<[number, Record<string, unknown>]> {
  return [response.status, ((await response.json()) as { error: Record<string, unknown> }).error];
}

describe('fake openai server: at least as strict as the real service', () => {
  const sizeError = (size: string) => ({
    message: `Invalid value: '${size}'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.`,
    type: 'invalid_request_error',
    param: 'size',
    code: 'invalid_value',
  });

  it.each(['gpt-image-1', 'dall-e-2', 'dall-e-3', 'gpt-image-9000'])('answers 404 model_not_found for %s, before the script', async (model) => {
    const server = await track(startFakeOpenAIServer());
    server.respondWith(openaiResponses.b64Json());
    expect(await errorOf(await postGeneration(server.baseUrl, { model, prompt: 'p' }))).toEqual([
      404,
      { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' },
    ]);
    expect((await postGeneration(server.baseUrl, { model: defaultOpenAIModelId, prompt: 'p' })).status).toBe(200);
  });

  it('takes extra model ids when a test opts in (as an unknown GPT Image model: fixed sizes)', async () => {
    const server = await track(startFakeOpenAIServer({ extraModels: ['gpt-image-1'] }));
    server.respondAlways(openaiResponses.imageFor());
    expect((await postGeneration(server.baseUrl, { model: 'gpt-image-1', prompt: 'p', size: '1536x1024' })).status).toBe(200);
    expect(await errorOf(await postGeneration(server.baseUrl, { model: 'gpt-image-1', prompt: 'p', size: '1536x864' }))).toEqual([400, sizeError('1536x864')]);
  });

  it('checks sizes per model: fixed sizes only, or the GPT Image 2 rule', async () => {
    const server = await track(startFakeOpenAIServer());
    server.respondAlways(openaiResponses.imageFor());
    const statusOf = async (model: string, size: string) => (await postGeneration(server.baseUrl, { model, prompt: 'p', size })).status;
    expect(await errorOf(await postGeneration(server.baseUrl, { model: 'gpt-image-1.5', prompt: 'p', size: '2048x2048' }))).toEqual([400, sizeError('2048x2048')]);
    expect([await statusOf('gpt-image-1.5', '1024x1536'), await statusOf('gpt-image-1.5', 'auto')]).toEqual([200, 200]);
    expect([
      await statusOf('gpt-image-2', '1536x864'),
      await statusOf('gpt-image-2', '3840x2160'),
      await statusOf('gpt-image-2', '1024x1024'),
      await statusOf('gpt-image-2', 'auto'),
    ]).toEqual([200, 200, 200, 200]);
    // Not multiples of 16; under 655,360 pixels; over 8,294,400; beyond 3:1; a preset name.
    for (const size of ['1000x1000', '1024x576', '3840x3840', '2400x784', '2K']) {
      const [status, error] = await errorOf(await postGeneration(server.baseUrl, { model: 'gpt-image-2', prompt: 'p', size }));
      expect([status, error.param, error.code], size).toEqual([400, 'size', 'invalid_value']);
    }
  });

  it('checks quality, background and output_format against the model, and transparency against JPEG', async () => {
    const server = await track(startFakeOpenAIServer());
    server.respondAlways(openaiResponses.imageFor());
    const post = (fields: Record<string, unknown>) => postGeneration(server.baseUrl, { model: defaultOpenAIModelId, prompt: 'p', ...fields });
    expect(await errorOf(await post({ quality: 'xhigh' }))).toEqual([
      400,
      { message: "Invalid value: 'xhigh'. Supported values are: 'low', 'medium', 'high', and 'auto'.", type: 'invalid_request_error', param: 'quality', code: 'invalid_value' },
    ]);
    expect((await errorOf(await post({ output_format: 'gif' })))[1]).toMatchObject({ param: 'output_format', code: 'invalid_value' });
    expect((await errorOf(await post({ background: 'none' })))[1]).toMatchObject({ param: 'background', code: 'invalid_value' });
    expect((await errorOf(await post({ background: 'transparent', output_format: 'jpeg' })))[0]).toBe(400);
    expect((await errorOf(await post({ response_format: 'b64_json' })))[1]).toMatchObject({ param: 'response_format', code: 'unknown_parameter' });
    expect((await errorOf(await post({ n: 11 })))[1]).toMatchObject({ param: 'n', code: 'integer_above_max_value' });
    expect((await post({ background: 'transparent', output_format: 'webp', quality: 'high' })).status).toBe(200);
  });

  it('checks edits the same way, plus the number of images and each part’s Content-Type', async () => {
    const server = await track(startFakeOpenAIServer());
    server.respondAlways(openaiResponses.imageFor());
    const fields = { model: defaultOpenAIModelId, prompt: 'p' };
    expect((await postEdit(server.baseUrl, fields, [{ type: 'image/png' }, { type: 'image/jpeg' }])).status).toBe(200);
    expect(await errorOf(await postEdit(server.baseUrl, fields, [{ type: 'application/octet-stream' }]))).toEqual([
      400,
      {
        message:
          "Invalid file 'image': unsupported mimetype ('application/octet-stream'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
        type: 'invalid_request_error',
        param: 'image',
        code: 'unsupported_file_mimetype',
      },
    ]);
    const seventeen = Array.from({ length: 17 }, () => ({ type: 'image/png' }));
    expect((await errorOf(await postEdit(server.baseUrl, fields, seventeen)))[1]).toMatchObject({ param: 'image', code: 'invalid_value' });
    expect((await errorOf(await postEdit(server.baseUrl, fields, [])))[1]).toMatchObject({ param: 'image', code: 'missing_required_parameter' });
    const notAnImage = new Uint8Array(Buffer.from('not an image'));
    expect((await errorOf(await postEdit(server.baseUrl, fields, [{ type: 'image/png', bytes: notAnImage }])))[1]).toMatchObject({ code: 'invalid_image_file' });
    expect((await errorOf(await postEdit(server.baseUrl, { ...fields, size: '999x999' }, [{ type: 'image/png' }])))[1]).toMatchObject({ param: 'size' });
    expect((await errorOf(await postEdit(server.baseUrl, { ...fields, model: 'dall-e-2' }, [{ type: 'image/png' }])))[0]).toBe(404);
  });

  it('imageFor answers with what was asked: size, quality, background, format (and bytes of it), usage', async () => {
    const server = await track(startFakeOpenAIServer());
    server.respondAlways(openaiResponses.imageFor());
    const body = (await (
      await postGeneration(server.baseUrl, { model: defaultOpenAIModelId, prompt: 'a fox', size: '1536x864', quality: 'high', output_format: 'jpeg', background: 'opaque' })
    ).json()) as Record<string, unknown> & { data: { b64_json: string }[]; usage: Record<string, unknown> };
    expect(body).toMatchObject({ size: '1536x864', quality: 'high', background: 'opaque', output_format: 'jpeg' });
    expect(Buffer.from(body.data[0]!.b64_json, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(body.usage).toMatchObject({ input_tokens_details: { image_tokens: 0, text_tokens: 2 }, input_tokens: 2 });
    expect(body.usage.total_tokens).toBe(2 + (body.usage.output_tokens as number));
  });

  it('has the real bodies of moderation_blocked and insufficient_quota', async () => {
    expect(openaiResponses.moderationBlocked()).toMatchObject({
      status: 400,
      body: {
        error: {
          type: 'image_generation_user_error',
          param: null,
          code: 'moderation_blocked',
          moderation_details: { moderation_stage: 'output', categories: ['sexual'] },
        },
      },
    });
    expect(openaiResponses.insufficientQuota()).toMatchObject({ status: 429, body: { error: { type: 'insufficient_quota', code: 'insufficient_quota' } } });
  });
});
