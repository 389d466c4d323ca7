import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readPngText } from '@/lib/core/embedded-parameters';
import { startFakeA1111Server, type FakeA1111Server } from '@/lib/providers/testing';
import type { BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { GET as getImage } from '../images/[id]/route';
import { GET as getBatch } from './[id]/route';
import { POST } from './route';
import { toZipManifest } from '@/lib/server/batch-zip';
import { GET as getProviders } from '../providers/route';

const auth = 'artist:s3cret-password';
let server: FakeA1111Server | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  server = undefined;
});

async function useA1111App() {
  server = await startFakeA1111Server({ auth });
  return useBatchTestApp({ IMAGE_PROVIDER: 'a1111', A1111_URL: server.baseUrl, A1111_AUTH: auth, A1111_MODELS: 'sd_xl_base_1.0', PACING_MIN_INTERVAL_MS: '0' });
}

describe('POST /api/batches on AUTOMATIC1111', () => {
  it('makes a seeded batch: image N gets seed + N - 1, recorded in its PNG with the other controls', async () => {
    const { runtime } = await useA1111App();
    const body = { prompt: 'a lighthouse', numberOfImages: 3, seed: 100, negativePrompt: 'fog', steps: 12, cfgScale: 5, sampler: 'Euler a' };
    const response = await POST(jsonRequest('/api/batches', body));
    expect(response.status).toBe(202);
    const created = await readJson<BatchView>(response);
    expect(created).toMatchObject({ provider: 'a1111', model: 'sd_xl_base_1.0', seed: 100, negativePrompt: 'fog', steps: 12, cfgScale: 5, sampler: 'Euler a' });

    await waitForBatchEnd(await runtime(), created.id);
    const batch = await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    expect(batch).toMatchObject({ status: 'completed', succeeded: 3 });
    expect(batch.items!.map((item) => item.seed)).toEqual([100, 101, 102]);
    const stored = await (await runtime()).store.batches.getBatch(created.id);
    const manifest = toZipManifest(stored!);
    expect(manifest).toMatchObject({ seed: 100, negativePrompt: 'fog', steps: 12, cfgScale: 5, sampler: 'Euler a' });
    expect(manifest.items.map((item) => item.seed)).toEqual([100, 101, 102]);
    const generations = server!.requests.filter((request) => request.path === '/sdapi/v1/txt2img');
    expect(generations.map((request) => (request.json as { seed: number }).seed).sort()).toEqual([100, 101, 102]);
    expect(generations[0]!.json).toMatchObject({ negative_prompt: 'fog', steps: 12, cfg_scale: 5, sampler_name: 'Euler a', width: 1024, height: 1024 });

    for (const item of batch.items!) {
      const image = await getImage(getRequest(item.imageUrl!), routeContext(item.imageId!));
      const bytes = new Uint8Array(await image.arrayBuffer());
      expect(await sharp(bytes).metadata()).toMatchObject({ format: 'png', width: 1024, height: 1024 });
      const parameters = (await readPngText(bytes)).find((entry) => entry.keyword === 'parameters')!.text;
      expect(parameters).toContain(`Seed: ${100 + item.index - 1},`);
      expect(parameters).toContain('Negative prompt: fog');
      expect(parameters).toContain('Sampler: Euler a');
    }
  });

  it('multipart image-to-image with a denoising strength sends it to img2img', async () => {
    const { runtime } = await useA1111App();
    const input = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const form = new FormData();
    form.set('prompt', 'make it night');
    form.set('denoisingStrength', '0.4');
    form.set('steps', '10');
    form.set('image', new File([new Uint8Array(input)], 'input.png', { type: 'image/png' }));
    const response = await POST(new Request('http://127.0.0.1/api/batches', { method: 'POST', body: form }));
    expect(response.status).toBe(202);
    const created = await readJson<BatchView>(response);
    await waitForBatchEnd(await runtime(), created.id);
    const [generation] = server!.requests.filter((request) => request.path === '/sdapi/v1/img2img');
    expect(generation!.json).toMatchObject({ denoising_strength: 0.4, steps: 10, init_images: [input.toString('base64')] });
    // No seed asked: A1111 chose one (-1); the item and the PNG record the one it reported.
    expect(generation!.json).toMatchObject({ seed: -1 });
    const batch = await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    const item = batch.items![0]!;
    expect(item.seed).toEqual(expect.any(Number));
    const bytes = new Uint8Array(await (await getImage(getRequest(item.imageUrl!), routeContext(item.imageId!))).arrayBuffer());
    const parameters = (await readPngText(bytes)).find((entry) => entry.keyword === 'parameters')!.text;
    expect(parameters).toContain(`Steps: 10, Seed: ${item.seed}, Denoising strength: 0.4,`);
  });

  it('refuses a sampler the model does not list, and denoisingStrength without an input image', async () => {
    await useA1111App();
    const sampler = await POST(jsonRequest('/api/batches', { prompt: 'a', sampler: 'Nope' }));
    expect(sampler.status).toBe(400);
    expect(await readJson(sampler)).toMatchObject({ field: 'sampler', error: expect.stringContaining('choose one of DPM++ 2M') });
    const denoising = await POST(jsonRequest('/api/batches', { prompt: 'a', denoisingStrength: 0.5 }));
    expect(await readJson(denoising)).toMatchObject({ field: 'denoisingStrength' });
  });
});

describe('GET /api/providers with AUTOMATIC1111', () => {
  it('lists its checkpoints with the diffusion controls, never its URL or credentials', async () => {
    await useA1111App();
    const response = await getProviders(getRequest('/api/providers'));
    const text = await response.text();
    expect(text).not.toContain(server!.baseUrl);
    expect(text).not.toContain('s3cret');
    const catalog = JSON.parse(text) as { providers: { id: string; models: { id: string; capabilities: { extraOptions?: unknown } }[] }[]; default: unknown };
    expect(catalog.default).toEqual({ provider: 'a1111', model: 'sd_xl_base_1.0' });
    const a1111 = catalog.providers.find((provider) => provider.id === 'a1111')!;
    expect(a1111.models[0]!.capabilities.extraOptions).toMatchObject({ seed: true, negativePrompt: true, steps: { min: 1, max: 150, default: 20 } });
  });
});

describe('AUTOMATIC1111 pacing', () => {
  it('one call at a time with no gap by default, whatever the global pacing; A1111_PACING_* still win', async () => {
    server = await startFakeA1111Server({ auth });
    const env = { A1111_URL: server.baseUrl, A1111_AUTH: auth, PACING_CONCURRENCY: '4', PACING_MIN_INTERVAL_MS: '800' };
    const { app } = await useBatchTestApp(env);
    const lane = app.laneFor(app.resolveProvider('a1111'));
    expect({ concurrency: lane.concurrency, minIntervalMs: lane.minIntervalMs }).toEqual({ concurrency: 1, minIntervalMs: 0 });
    // Other providers keep the global pacing.
    expect(app.laneFor(app.resolveProvider('demo')).concurrency).toBe(4);
  });

  it('A1111_PACING_MODE=fixed with A1111_PACING_CONCURRENCY runs several (several GPUs behind one URL)', async () => {
    server = await startFakeA1111Server({ auth });
    const { app } = await useBatchTestApp({ A1111_URL: server.baseUrl, A1111_AUTH: auth, A1111_PACING_MODE: 'fixed', A1111_PACING_CONCURRENCY: '2' });
    const lane = app.laneFor(app.resolveProvider('a1111'));
    expect({ concurrency: lane.concurrency, minIntervalMs: lane.minIntervalMs }).toEqual({ concurrency: 2, minIntervalMs: 0 });
  });
});
