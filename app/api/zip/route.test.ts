import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { readZip } from '@/lib/server/testing/read-zip';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { GET as getBatch } from '../batches/[id]/route';
import { DELETE as deleteImage } from '../batches/[id]/items/[index]/route';
import { POST as createBatch } from '../batches/route';
import { POST } from './route';

afterEach(() => vi.unstubAllEnvs());

const zipOf = (body: unknown) => POST(jsonRequest('/api/zip', body));

async function twoBatches() {
  const testApp = await useBatchTestApp({ DEMO_LATENCY_MS: '5', DEMO_FAIL_INDEXES: '2' });
  const runtime = await testApp.runtime();
  const batches: BatchView[] = [];
  for (const [prompt, numberOfImages] of [['a red fox', 3], ['a blue whale', 2]] as const) {
    const created = await readJson<BatchView>(await createBatch(jsonRequest('/api/batches', { prompt, numberOfImages, aspectRatio: '16:9' })));
    await waitForBatchEnd(runtime, created.id);
    batches.push(await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id))));
  }
  return { ...testApp, fox: batches[0]!, whale: batches[1]! };
}

describe('POST /api/zip', () => {
  it('streams the chosen images of several batches, in the order asked, with a manifest of each', async () => {
    const { fox, whale, dataDirectory } = await twoBatches();
    const chosen = [whale.items![0]!, fox.items![2]!, fox.items![0]!];
    const response = await zipOf({ images: [...chosen.map((item) => item.imageId), chosen[0]!.imageId] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="images-\d{4}-\d{2}-\d{2}\.zip"$/);
    const zip = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(zip.length));

    const entries = readZip(zip);
    const expectedNames = [`image-${whale.id.slice(0, 8)}-001.png`, `image-${fox.id.slice(0, 8)}-003.png`, `image-${fox.id.slice(0, 8)}-001.png`];
    expect(entries.map((entry) => entry.name)).toEqual(['manifest.json', ...expectedNames]);
    expect(entries.every((entry) => entry.method === 0 && entry.isCrcValid)).toBe(true);
    for (const [position, item] of chosen.entries()) {
      expect(entries[position + 1]!.data.equals(await readFile(join(dataDirectory, 'images', item.imageId!)))).toBe(true);
    }
    const manifest = JSON.parse(entries[0]!.data.toString('utf8'));
    expect(manifest.count).toBe(3);
    expect(manifest.images[0]).toEqual({
      file: expectedNames[0],
      imageId: whale.items![0]!.imageId,
      mimeType: 'image/png',
      batchId: whale.id,
      index: 1,
      prompt: 'a blue whale',
      provider: 'demo',
      model: whale.model,
      isDemo: true,
      mode: 'text-to-image',
      aspectRatio: '16:9',
      size: null,
      quality: null,
      outputFormat: null,
      background: null,
      batchCreatedAt: whale.createdAt,
      endedAt: whale.items![0]!.endedAt,
      costUsd: 0,
      isFavorite: false,
    });
    expect(manifest.images.map((image: { batchId: string; index: number }) => [image.batchId, image.index])).toEqual([
      [whale.id, 1],
      [fox.id, 3],
      [fox.id, 1],
    ]);
  });

  it('refuses the whole request with a 404 when one id names no image (unknown or deleted), and a clear 400 for a bad body', async () => {
    const { fox } = await twoBatches();
    const unknown = await zipOf({ images: [fox.items![0]!.imageId, '0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab.png'] });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toBe('No image with the id in images[1].');

    await deleteImage(new Request(`http://127.0.0.1/api/batches/${fox.id}/items/3`, { method: 'DELETE' }), {
      params: Promise.resolve({ id: fox.id, index: '3' }),
    });
    expect((await zipOf({ images: [fox.items![2]!.imageId] })).status).toBe(404);

    for (const body of [{}, { images: [] }, { images: 'x' }, { images: [1] }, { images: ['../../etc/passwd'] }, { images: Array(501).fill(fox.items![0]!.imageId) }, '{{']) {
      const response = await zipOf(body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const answer = await response.json();
      expect(answer.field, JSON.stringify(body).slice(0, 80)).toMatch(/^(images|body)$/);
      expect(answer.error).toEqual(expect.any(String));
    }
  });
});
