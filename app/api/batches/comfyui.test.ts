import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeComfyUIServer, type FakeComfyUIServer, type FakeComfyUIServerOptions } from '@/lib/providers/testing';
import type { BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { GET as getBatch } from './[id]/route';
import { POST } from './route';

let server: FakeComfyUIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function comfyUIApp(options: FakeComfyUIServerOptions = {}) {
  server = await startFakeComfyUIServer({ runMs: 5, ...options });
  return useBatchTestApp({ IMAGE_PROVIDER: 'comfyui', COMFYUI_URL: server.baseUrl, COMFYUI_POLL_INTERVAL_MS: '10' });
}

describe('a batch on ComfyUI (IMAGE_PROVIDER=comfyui, a fake ComfyUI server)', () => {
  it('text-to-image: each image queued as its own prompt with its own seed, stored at the asked ratio', async () => {
    const { runtime, dataDirectory } = await comfyUIApp();
    const response = await POST(jsonRequest('/api/batches', { prompt: 'a lighthouse at dusk', numberOfImages: 3, aspectRatio: '3:2' }));
    expect(response.status).toBe(202);
    const created = await readJson<BatchView>(response);
    expect(created).toMatchObject({ provider: 'comfyui', model: 'default', isDemo: false, total: 3 });

    await waitForBatchEnd(await runtime(), created.id);
    const batch = await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    expect(batch).toMatchObject({ status: 'completed', succeeded: 3, failed: 0 });
    const workflows = [...server!.prompts.values()];
    expect(workflows.map((workflow) => workflow['6']!.inputs.text)).toEqual(['a lighthouse at dusk', 'a lighthouse at dusk', 'a lighthouse at dusk']);
    expect(new Set(workflows.map((workflow) => workflow['3']!.inputs.seed)).size).toBe(3);
    for (const item of batch.items!) {
      const stored = await readFile(join(dataDirectory, 'images', item.imageId!));
      expect(await sharp(stored).metadata()).toMatchObject({ format: 'png', width: 512, height: 344 });
    }
  });

  it('is the default provider when COMFYUI_URL is set and no provider key is (IMAGE_PROVIDER unset)', async () => {
    server = await startFakeComfyUIServer({ runMs: 5 });
    const { runtime } = await useBatchTestApp({ IMAGE_PROVIDER: '', COMFYUI_URL: server.baseUrl, COMFYUI_POLL_INTERVAL_MS: '10' });
    const created = await readJson<BatchView>(await POST(jsonRequest('/api/batches', { prompt: 'a fox' })));
    expect(created).toMatchObject({ provider: 'comfyui', model: 'default' });
    await waitForBatchEnd(await runtime(), created.id);
  });

  it('image-to-image from a multipart upload goes through /upload/image', async () => {
    const { runtime } = await comfyUIApp();
    const input = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const form = new FormData();
    form.set('prompt', 'make it warmer');
    form.set('image', new File([new Uint8Array(input)], 'input.png', { type: 'image/png' }));
    const created = await readJson<BatchView>(await POST(new Request('http://127.0.0.1/api/batches', { method: 'POST', body: form })));
    expect(created).toMatchObject({ mode: 'image-to-image', provider: 'comfyui' });
    await waitForBatchEnd(await runtime(), created.id);
    const batch = await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    expect(batch).toMatchObject({ status: 'completed', succeeded: 1 });
    expect(server!.uploads.size).toBe(1);
    expect([...server!.prompts.values()][0]!['10']!.inputs.image).toBe([...server!.uploads.keys()][0]);
  });

  it('a workflow the server rejects fails its items as invalid requests, without retrying', async () => {
    // A server without the shipped workflow's checkpoint.
    const { runtime } = await comfyUIApp({ checkpoints: [] });
    const created = await readJson<BatchView>(await POST(jsonRequest('/api/batches', { prompt: 'x', numberOfImages: 2 })));
    await waitForBatchEnd(await runtime(), created.id);
    const batch = await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    expect(batch).toMatchObject({ status: 'failed', failed: 2 });
    expect(batch.items![0]).toMatchObject({ status: 'failed', attempts: 1, error: { kind: 'invalid_request' } });
    expect(batch.items![0]!.error!.details).toContain('CheckpointLoaderSimple');
  });
});
