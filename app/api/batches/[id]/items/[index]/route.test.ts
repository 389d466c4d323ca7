import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchItemView, BatchList, BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { GET as getImage } from '../../../../images/[id]/route';
import { GET as listBatches, POST as createBatch } from '../../../route';
import { POST as retry } from '../../retry/route';
import { GET as getBatch } from '../../route';
import { GET as zip } from '../../zip/route';
import { readZip } from '@/lib/server/testing/read-zip';
import { POST as favorite } from './favorite/route';
import { DELETE as deleteImage } from './route';

afterEach(() => vi.unstubAllEnvs());

const itemContext = (id: string, index: number | string) => ({ params: Promise.resolve({ id, index: String(index) }) });
const markFavorite = (batchId: string, index: number | string, body: unknown) =>
  favorite(jsonRequest(`/api/batches/${batchId}/items/${index}/favorite`, body), itemContext(batchId, index));
const removeImage = (batchId: string, index: number | string) =>
  deleteImage(new Request(`http://127.0.0.1/api/batches/${batchId}/items/${index}`, { method: 'DELETE' }), itemContext(batchId, index));
const readBatch = async (batchId: string) => readJson<BatchView>(await getBatch(getRequest(`/api/batches/${batchId}`), routeContext(batchId)));

async function finishedBatch(numberOfImages = 3, prompt = 'keep or delete') {
  const testApp = await useBatchTestApp({ DEMO_LATENCY_MS: '5', DEMO_FAIL_INDEXES: '2' });
  const created = await readJson<BatchView>(await createBatch(jsonRequest('/api/batches', { prompt, numberOfImages })));
  await waitForBatchEnd(await testApp.runtime(), created.id);
  return { ...testApp, batch: await readBatch(created.id) };
}

describe('POST /api/batches/:id/items/:index/favorite', () => {
  it('marks and unmarks an image; the batch view and the list say so, and the favorites filter finds it', async () => {
    const { batch } = await finishedBatch();
    expect(batch.items!.map((item) => item.isFavorite)).toEqual([false, undefined, false]);

    const marked = await markFavorite(batch.id, 3, { favorite: true });
    expect(marked.status).toBe(200);
    const { item } = await readJson<{ item: BatchItemView }>(marked);
    expect(item).toMatchObject({ index: 3, status: 'succeeded', isFavorite: true, imageUrl: batch.items![2]!.imageUrl });
    expect((await readBatch(batch.id)).items!.map((entry) => entry.isFavorite)).toEqual([false, undefined, true]);
    const favorites = await readJson<BatchList>(await listBatches(getRequest('/api/batches?favorites=1')));
    expect(favorites.batches.map((listed) => listed.id)).toEqual([batch.id]);

    expect((await readJson<{ item: BatchItemView }>(await markFavorite(batch.id, 3, { favorite: false }))).item.isFavorite).toBe(false);
    expect((await readJson<BatchList>(await listBatches(getRequest('/api/batches?favorites=1')))).batches).toEqual([]);
  });

  it('answers a clear 400 for a bad index or body, 409 for an image that failed, 404 for an unknown batch or index', async () => {
    const { batch } = await finishedBatch();
    for (const [index, body] of [
      ['0', { favorite: true }],
      ['x', { favorite: true }],
      ['1.5', { favorite: true }],
      ['1', { favorite: 'yes' }],
      ['1', {}],
      ['1', 'not json'],
    ] as const) {
      const response = await markFavorite(batch.id, index, body);
      expect(response.status, `${index} ${JSON.stringify(body)}`).toBe(400);
      expect((await response.json()).field).toMatch(/^(index|favorite|body)$/);
    }
    const failed = await markFavorite(batch.id, 2, { favorite: true });
    expect(failed.status).toBe(409);
    expect((await failed.json()).error).toBe('This image has no picture to keep: only a made image can be a favorite.');
    expect((await markFavorite(batch.id, 9, { favorite: true })).status).toBe(404);
    const unknown = await markFavorite('no-such-batch', 1, { favorite: true });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toBe('No batch with this id.');
  });
});

describe('DELETE /api/batches/:id/items/:index', () => {
  it('deletes one image: its file goes, the item stays succeeded without it, the ZIP and a retry leave it out', async () => {
    const { batch, dataDirectory } = await finishedBatch();
    const image = batch.items![0]!;
    expect(existsSync(join(dataDirectory, 'images', image.imageId!))).toBe(true);
    await markFavorite(batch.id, 1, { favorite: true });

    const response = await removeImage(batch.id, 1);
    expect(response.status).toBe(200);
    const after = (await readJson<{ batch: BatchView }>(response)).batch;
    expect(after).toMatchObject({ status: 'partial', succeeded: 2, failed: 1 });
    expect(after.items![0]).toMatchObject({ index: 1, status: 'succeeded', isFavorite: false, imageDeletedAt: expect.any(String) });
    expect(after.items![0]).not.toHaveProperty('imageUrl');
    expect(after.items![2]!.imageUrl).toBe(batch.items![2]!.imageUrl);
    expect(existsSync(join(dataDirectory, 'images', image.imageId!))).toBe(false);
    expect((await getImage(getRequest(image.imageUrl!), routeContext(image.imageId!))).status).toBe(404);

    const names = readZip(Buffer.from(await (await zip(getRequest(`/api/batches/${batch.id}/zip`), routeContext(batch.id))).arrayBuffer())).map((entry) => entry.name);
    expect(names).toEqual(['manifest.json', 'image-003.png']);

    // Again: nothing left to delete, the same answer.
    const again = await removeImage(batch.id, 1);
    expect(again.status).toBe(200);
    expect((await readJson<{ batch: BatchView }>(again)).batch.items![0]!.imageDeletedAt).toBe(after.items![0]!.imageDeletedAt);

    const retried = await retry(new Request(`http://127.0.0.1/api/batches/${batch.id}/retry`, { method: 'POST' }), routeContext(batch.id));
    expect((await readJson<{ requeuedCount: number }>(retried)).requeuedCount).toBe(1);
  });

  it('refuses while the batch runs (409), an image that failed (409), and unknown ids (404)', async () => {
    const testApp = await useBatchTestApp({ DEMO_LATENCY_MS: '5000' });
    const running = await readJson<BatchView>(await createBatch(jsonRequest('/api/batches', { prompt: 'slow', numberOfImages: 1 })));
    const refused = await removeImage(running.id, 1);
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toBe('The batch is still running: wait for it to end (or cancel it) before deleting one of its images.');
    await (await testApp.runtime()).queue.cancel(running.id);
    expect((await removeImage(running.id, 2)).status).toBe(404);
    expect((await removeImage('no-such-batch', 1)).status).toBe(404);
    expect((await removeImage(running.id, 'abc')).status).toBe(400);
  });
});
