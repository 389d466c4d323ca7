import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type InputImage } from '@/lib/core';
import { a1111Responses, closedLocalUrl, rejectionOf, startFakeA1111Server, tinyPng, type FakeA1111Server, type ScriptedResponse } from '../testing';
import { createA1111Provider, type A1111ProviderOptions } from './a1111-provider';

const auth = 'artist:s3cret-password';
const sdxl = 'sd_xl_base_1.0.safetensors [31e35c80fc]';

let server: FakeA1111Server;
beforeEach(async () => {
  server = await startFakeA1111Server({ auth });
});
afterEach(async () => {
  await server.close();
});

function provider(overrides: Partial<A1111ProviderOptions> = {}) {
  return createA1111Provider({ baseUrl: server.baseUrl, auth, model: 'default', ...overrides });
}

const inputImage = (): InputImage => ({ bytes: tinyPng(), mimeType: 'image/png' });

async function providerErrorFor(response: ScriptedResponse): Promise<ProviderError> {
  server.respondWith(response);
  const error = await rejectionOf(provider().generate({ prompt: 'a lighthouse', index: 1 }));
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('a1111 provider: text-to-image', () => {
  it('posts every control to txt2img with basic auth, one image, and returns its PNG and the seed used', async () => {
    const image = await provider().generate({
      prompt: 'a lighthouse',
      index: 1,
      aspectRatio: '16:9',
      negativePrompt: 'fog',
      seed: 1234,
      steps: 25,
      cfgScale: 6.5,
      sampler: 'Euler a',
    });

    expect(image.mimeType).toBe('image/png');
    expect(image.seed).toBe(1234);
    const [sent] = server.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/sdapi/v1/txt2img' });
    expect(sent!.headers.authorization).toBe(`Basic ${Buffer.from(auth).toString('base64')}`);
    expect(sent!.json).toEqual({
      prompt: 'a lighthouse',
      negative_prompt: 'fog',
      seed: 1234,
      steps: 25,
      cfg_scale: 6.5,
      sampler_name: 'Euler a',
      width: 1368,
      height: 768,
      batch_size: 1,
      n_iter: 1,
    });
    expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'png', width: 1368, height: 768 });
  });

  it('asks for a random seed without one, and reports the seed A1111 chose', async () => {
    const image = await provider().generate({ prompt: 'a lighthouse', index: 1 });
    expect(server.requests[0]!.json).toMatchObject({ seed: -1, width: 1024, height: 1024 });
    expect(image.seed).toBeTypeOf('number');
    expect(image.seed).toBeGreaterThanOrEqual(0);
  });

  it('looks a named checkpoint up once and picks it with override_settings for the call only', async () => {
    const named = provider({ model: 'sd_xl_base_1.0' });
    await named.generate({ prompt: 'one', index: 1 });
    await named.generate({ prompt: 'two', index: 2 });

    expect(server.requests.map((request) => request.path)).toEqual(['/sdapi/v1/sd-models', '/sdapi/v1/txt2img', '/sdapi/v1/txt2img']);
    expect(server.requests[1]!.json).toMatchObject({ override_settings: { sd_model_checkpoint: sdxl }, override_settings_restore_afterwards: true });
  });

  it('fetches the checkpoint list again once it is older than its TTL', async () => {
    const named = provider({ model: '31e35c80fc', modelListTtlMs: 0 });
    await named.generate({ prompt: 'one', index: 1 });
    await named.generate({ prompt: 'two', index: 2 });
    expect(server.requests.map((request) => request.path)).toEqual(['/sdapi/v1/sd-models', '/sdapi/v1/txt2img', '/sdapi/v1/sd-models', '/sdapi/v1/txt2img']);
    // Found by its hash too; sent by its full title.
    expect(server.requests[1]!.json).toMatchObject({ override_settings: { sd_model_checkpoint: sdxl } });
  });

  it('sizes SD 1.5 checkpoints from 512 pixels, and sends an exact size as asked', async () => {
    await provider({ model: 'v1-5-pruned-emaonly' }).generate({ prompt: 'a', index: 1, aspectRatio: '2:3' });
    expect(server.requests[1]!.json).toMatchObject({ width: 416, height: 624 });
    await provider().generate({ prompt: 'a', index: 1, size: '832x1216' });
    expect(server.requests[2]!.json).toMatchObject({ width: 832, height: 1216 });
  });

  it('refuses a checkpoint the server does not have (A1111 would silently use another)', async () => {
    const error = await rejectionOf(provider({ model: 'no-such-model' }).generate({ prompt: 'a', index: 1 }));
    expect(error).toMatchObject({ kind: 'not_found', message: 'AUTOMATIC1111 has no checkpoint "no-such-model"' });
    expect((error as ProviderError).details).toContain(sdxl);
    expect(server.requests.map((request) => request.path)).toEqual(['/sdapi/v1/sd-models']);
  });
});

describe('a1111 provider: step progress', () => {
  it('reports the sampler step from /sdapi/v1/progress while the image is made (with the same auth), and stops asking once it is done', async () => {
    await server.close();
    server = await startFakeA1111Server({ auth, generationMs: 1_000 });
    const steps: [number, number][] = [];
    const image = await provider({ progressPollMs: 40 }).generate({ prompt: 'a lighthouse', index: 1, steps: 12, onProgress: ({ step, totalSteps }) => steps.push([step, totalSteps]) });
    expect(image.mimeType).toBe('image/png');
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps.every(([step, total]) => total === 12 && step >= 0 && step <= 12)).toBe(true);
    expect(steps.map(([step]) => step)).toEqual([...steps.map(([step]) => step)].sort((left, right) => left - right));
    expect(new Set(steps.map(([step]) => step)).size).toBeGreaterThanOrEqual(2);
    const polls = server.requests.filter((request) => request.path.startsWith('/sdapi/v1/progress')).length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.requests.filter((request) => request.path.startsWith('/sdapi/v1/progress'))).toHaveLength(polls);
  });

  it('asks nothing about progress when nobody listens', async () => {
    await server.close();
    server = await startFakeA1111Server({ auth, generationMs: 200 });
    await provider({ progressPollMs: 20 }).generate({ prompt: 'a lighthouse', index: 1 });
    expect(server.requests.map((request) => request.path)).not.toContainEqual(expect.stringContaining('/progress'));
  });

  it('reports nothing while the server is idle (job_count 0), e.g. before our job starts', async () => {
    const steps: number[] = [];
    server.respondWith({ status: 200, delayMs: 300, body: { images: [Buffer.from(tinyPng()).toString('base64')], info: '{"seed": 1}' } });
    await provider({ progressPollMs: 30 }).generate({ prompt: 'a lighthouse', index: 1, onProgress: ({ step }) => steps.push(step) });
    expect(server.requests.filter((request) => request.path.startsWith('/sdapi/v1/progress')).length).toBeGreaterThan(0);
    expect(steps).toEqual([]);
  });
});

describe('a1111 provider: image-to-image', () => {
  it('posts the input as base64 init_images with the denoising strength to img2img', async () => {
    const image = await provider().generate({ prompt: 'make it night', index: 1, inputImages: [inputImage()], denoisingStrength: 0.35 });

    expect(image.mimeType).toBe('image/png');
    expect(server.requests[0]).toMatchObject({ path: '/sdapi/v1/img2img' });
    expect(server.requests[0]!.json).toMatchObject({ init_images: [Buffer.from(tinyPng()).toString('base64')], denoising_strength: 0.35 });
  });
});

describe('a1111 provider: errors', () => {
  it('wrong credentials are auth, and the password appears nowhere', async () => {
    const error = await rejectionOf(provider({ auth: 'artist:wrong-password' }).generate({ prompt: 'a', index: 1 }));
    expect(error).toMatchObject({ kind: 'auth', status: 401, isRetryable: false });
    expect(JSON.stringify({ ...(error as ProviderError), message: (error as Error).message })).not.toContain('wrong-password');
  });

  it('a validation failure (422) is invalid_request, naming the field', async () => {
    const error = await providerErrorFor(a1111Responses.validation('width', 'value is not a valid integer'));
    expect(error).toMatchObject({ kind: 'invalid_request', status: 422, isRetryable: false, details: 'body.width: value is not a valid integer' });
  });

  it('an unknown sampler (404 "Sampler not found") is invalid_request', async () => {
    const error = await rejectionOf(provider().generate({ prompt: 'a', index: 1, sampler: 'Nope' }));
    expect(error).toMatchObject({ kind: 'invalid_request', status: 404, details: 'Sampler not found' });
  });

  it('a 500 from its exception handler is transient, with the exception in the details', async () => {
    const error = await providerErrorFor(a1111Responses.exception(500, 'OutOfMemoryError', 'CUDA out of memory. Tried to allocate 2.00 GiB'));
    expect(error).toMatchObject({ kind: 'transient', status: 500, isRetryable: true, details: 'OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB' });
  });

  it('img2img without an image is refused as A1111 does (500)', async () => {
    server.respondWith({ status: 200, body: {} });
    const response = await fetch(`${server.baseUrl}/sdapi/v1/img2img`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(auth).toString('base64')}` },
      body: JSON.stringify({ prompt: 'a' }),
    });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: 'TypeError' });
  });

  it('a path the server does not have is not_found (an old or stripped-down server)', async () => {
    const error = await rejectionOf(provider({ baseUrl: `${server.baseUrl}/wrong-prefix` }).generate({ prompt: 'a', index: 1 }));
    expect(error).toMatchObject({ kind: 'not_found', status: 404, details: 'Not Found' });
  });

  it('a server that is not running is transient, naming where it was looked for', async () => {
    const url = await closedLocalUrl();
    const error = await rejectionOf(provider({ baseUrl: url }).generate({ prompt: 'a', index: 1 }));
    expect(error).toMatchObject({ kind: 'transient', message: `AUTOMATIC1111 is unreachable at ${url}` });
    expect((error as ProviderError).details).toContain('ECONNREFUSED');
  });

  it('an answer without images, or not an image, is transient', async () => {
    expect(await providerErrorFor({ status: 200, body: { images: [], info: '{}' } })).toMatchObject({ kind: 'transient', message: 'AUTOMATIC1111 returned no image' });
    expect(await providerErrorFor({ status: 200, body: { images: ['bm90IGFuIGltYWdl'] } })).toMatchObject({ kind: 'transient' });
  });
});

describe('a1111 provider: cancel and timeout', () => {
  it('an abort in flight rejects with the abort and interrupts the generation', async () => {
    await server.close();
    server = await startFakeA1111Server({ auth, generationMs: 30_000 });
    const controller = new AbortController();
    const call = provider().generate({ prompt: 'a', index: 1 }, controller.signal);
    await server.waitForGeneration();
    controller.abort();

    expect(await rejectionOf(call)).toMatchObject({ name: 'AbortError' });
    await expect.poll(() => server.interruptCount).toBe(1);
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/sdapi/v1/interrupt' });
    expect(server.requests.at(-1)!.headers.authorization).toBeDefined();
  });

  it('a timeout is a timeout, and interrupts too', async () => {
    await server.close();
    server = await startFakeA1111Server({ auth, generationMs: 30_000 });
    const error = await rejectionOf(provider({ timeoutMs: 200 }).generate({ prompt: 'a', index: 1 }));
    expect(error).toMatchObject({ kind: 'timeout' });
    await expect.poll(() => server.interruptCount).toBe(1);
  });
});
