import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64 } from './test-images';
import { openrouterResponses, startFakeOpenRouterServer, type FakeOpenRouterServer } from './fake-openrouter-server';

const apiKey = 'sk-or-v1-fake-key';
let server: FakeOpenRouterServer;
beforeEach(async () => {
  server = await startFakeOpenRouterServer({ apiKey });
  server.respondAlways(openrouterResponses.image());
});
afterEach(async () => {
  await server.close();
});

const validBody = { model: 'google/gemini-2.5-flash-image', messages: [{ role: 'user', content: 'a fox' }], modalities: ['image', 'text'] };

async function chat(body: unknown, key: string | null = apiKey): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key !== null ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe('fake openrouter server: as strict as the real service', () => {
  it('answers a valid request from the script: an image as a data URL in message.images', async () => {
    const { status, json } = await chat(validBody);
    expect(status).toBe(200);
    expect(json).toMatchObject({ choices: [{ message: { images: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } }] } }] });
  });

  it.each([
    ['no key', null, 'No auth credentials found'],
    ['a wrong key', 'sk-or-v1-other', 'User not found.'],
  ])('%s: 401', async (_, key, message) => {
    expect(await chat(validBody, key)).toEqual({ status: 401, json: { error: { code: 401, message } } });
  });

  it.each([
    ['an unknown model', { ...validBody, model: 'google/nope' }, 400, 'google/nope is not a valid model ID'],
    ['no modalities (the real service would answer text only)', { model: validBody.model, messages: validBody.messages }, 400, 'set "modalities" to include "image"'],
    ['a text-only model', { ...validBody, model: 'openai/gpt-4o-mini' }, 404, 'No endpoints found that support the requested output modalities: image, text'],
    ['text output from an image-only model', { ...validBody, model: 'black-forest-labs/flux.2-pro' }, 404, 'No endpoints found'],
    ['an aspect ratio the model does not take', { ...validBody, image_config: { aspect_ratio: '7:3' } }, 400, 'image_config.aspect_ratio'],
    ['image_size on a one-size model', { ...validBody, image_config: { image_size: '4K' } }, 400, 'image_size 4K is not supported'],
    ['an unknown parameter', { ...validBody, n: 2 }, 400, 'Unrecognized key: "n"'],
    ['an input image that is not a data URL of an image', { ...validBody, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,aGVsbG8=' } }] }] }, 400, 'Invalid image_url'],
  ])('refuses %s before the script', async (_, body, status, message) => {
    const answer = await chat(body);
    expect(answer.status).toBe(status);
    expect((answer.json as { error: { message: string; code: number } }).error).toMatchObject({ code: status, message: expect.stringContaining(message) });
    expect(server.requests).toHaveLength(1);
  });

  it('402 and 429 modes carry OpenRouter\'s envelope and headers', async () => {
    server.respondWith(openrouterResponses.noCredits(), openrouterResponses.rateLimited({ retryAfterSeconds: 3, resetAtMs: 1_767_225_600_000 }));
    expect((await chat(validBody)).status).toBe(402);
    const limited = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(validBody) });
    expect(limited.status).toBe(429);
    expect(Object.fromEntries(['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'].map((name) => [name, limited.headers.get(name)]))).toEqual({
      'retry-after': '3',
      'x-ratelimit-limit': '20',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '1767225600000',
    });
  });

  it('imageFor answers a real PNG in the asked-for aspect ratio', async () => {
    server.respondWith(openrouterResponses.imageFor());
    const { json } = await chat({ ...validBody, image_config: { aspect_ratio: '9:16' } });
    const url = (json as { choices: { message: { images: { image_url: { url: string } }[] } }[] }).choices[0]!.message.images[0]!.image_url.url;
    const metadata = await sharp(Buffer.from(url.split(',')[1]!, 'base64')).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 36, height: 64 });
  });

  it('lists models with architecture.output_modalities on GET /api/v1/models', async () => {
    const listed = (await (await fetch(`${server.baseUrl}/models?output_modalities=image`)).json()) as { data: { id: string; architecture: { output_modalities: string[] } }[] };
    const imageModels = listed.data.filter((entry) => entry.architecture.output_modalities.includes('image')).map((entry) => entry.id);
    expect(imageModels).toContain('google/gemini-2.5-flash-image');
    expect(imageModels).not.toContain('openai/gpt-4o-mini');
  });
});
