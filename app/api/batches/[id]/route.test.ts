import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchView } from '@/lib/server';
import {
  getRequest,
  postRequest,
  readJson,
  routeContext,
  useBatchTestApp,
  waitForBatchEnd,
  waitUntil,
} from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { POST as createBatch } from '../route';
import { POST as cancel } from './cancel/route';
import { POST as retry } from './retry/route';
import { DELETE, GET } from './route';

afterEach(() => vi.unstubAllEnvs());

async function startBatch(body: Record<string, unknown>): Promise<BatchView> {
  const response = await createBatch(jsonRequest('/api/batches', body));
  expect(response.status).toBe(202);
  return readJson<BatchView>(response);
}

const unknownId = '00000000-0000-4000-8000-000000000000';

describe('GET /api/batches/:id', () => {
  it('answers the batch with each item: status, error, image URL', async () => {
    const { runtime } = await useBatchTestApp({ DEMO_FAIL_INDEXES: '2' });
    const created = await startBatch({ prompt: 'tiles', numberOfImages: 3 });
    await waitForBatchEnd(await runtime(), created.id);

    const response = await GET(getRequest(`/api/batches/${created.id}`), routeContext(created.id));
    expect(response.status).toBe(200);
    const batch = await readJson<BatchView>(response);
    expect(batch).toMatchObject({ id: created.id, status: 'partial', total: 3, succeeded: 2, failed: 1, canceled: 0 });
    expect(batch.items![1]).toEqual({
      index: 2,
      prompt: 'tiles',
      status: 'failed',
      attempts: 1,
      error: { kind: 'safety_blocked', message: 'Blocked by the safety filter', details: 'DEMO_FAIL_INDEXES includes 2', retryStop: 'not_retryable' },
      startedAt: expect.any(String),
      endedAt: expect.any(String),
    });
    expect(batch.items![0]).toMatchObject({ status: 'succeeded', imageUrl: `/api/images/${batch.items![0]!.imageId}` });
  });

  const answersOfEveryBatchRoute = async (id: string) => {
    const context = () => routeContext(id);
    return [
      await GET(getRequest(`/api/batches/${id}`), context()),
      await DELETE(new Request(`http://127.0.0.1/api/batches/${id}`, { method: 'DELETE' }), context()),
      await cancel(postRequest(`/api/batches/${id}/cancel`), context()),
      await retry(postRequest(`/api/batches/${id}/retry`), context()),
    ];
  };

  it.each([unknownId, 'not-a-batch', '..%2F..%2Fetc%2Fpasswd'])('404 for an unknown id (%s), on every batch route', async (id) => {
    await useBatchTestApp();
    for (const response of await answersOfEveryBatchRoute(id)) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/No batch/) });
    }
  });

  it('says the same words on every batch route, without echoing the id (found by the fuzzer: cancel and DELETE sent a 20,000-character id back)', async () => {
    await useBatchTestApp();
    for (const response of await answersOfEveryBatchRoute('ab/..'.repeat(4_000))) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'No batch with this id.' });
    }
  });
});

describe('POST /api/batches/:id/cancel', () => {
  it.each([
    ['POST /cancel', (id: string) => cancel(postRequest(`/api/batches/${id}/cancel`), routeContext(id))],
  ])('%s: queued images end canceled at once, the call in flight is aborted, the provider gets nothing more', async (_name, cancelBatch) => {
    const { runtime, generateSpy } = await useBatchTestApp({ DEMO_LATENCY_MS: '300' });
    const created = await startBatch({ prompt: 'long run', numberOfImages: 10 });
    await waitUntil(() => generateSpy.mock.calls.length === 1);

    const response = await cancelBatch(created.id);
    expect(response.status).toBe(200);
    const answer = await readJson<{ batch: BatchView; canceledCount: number }>(response);
    expect(answer.canceledCount).toBe(9);
    expect(answer.batch.items!.filter((item) => item.status === 'canceled')).toHaveLength(9);

    await waitForBatchEnd(await runtime(), created.id, 2_000);
    const signal = generateSpy.mock.calls[0]![1];
    expect(signal?.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(generateSpy).toHaveBeenCalledTimes(1);
    const batch = await readJson<BatchView>(await GET(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    expect(batch).toMatchObject({ status: 'canceled', canceled: 10, succeeded: 0 });
  });

  it('is idempotent on an ended batch and keeps its images', async () => {
    const { runtime } = await useBatchTestApp();
    const created = await startBatch({ prompt: 'done', numberOfImages: 2 });
    await waitForBatchEnd(await runtime(), created.id);
    const response = await cancel(postRequest(`/api/batches/${created.id}/cancel`), routeContext(created.id));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ canceledCount: 0, batch: { status: 'completed', succeeded: 2 } });
  });
});

describe('POST /api/batches/:id/retry', () => {
  it('requeues only the failed images; the others keep their images and are not called again', async () => {
    const { runtime, generateSpy } = await useBatchTestApp({ DEMO_FAIL_INDEXES: '2,4', DEMO_FAIL_PROMPT_MATCH: '[fail]' });
    const created = await startBatch({ prompt: 'retry me [fail]', numberOfImages: 5 });
    await waitForBatchEnd(await runtime(), created.id);
    const before = await readJson<BatchView>(await GET(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    expect(before).toMatchObject({ status: 'partial', succeeded: 3, failed: 2 });
    generateSpy.mockClear();

    const response = await retry(postRequest(`/api/batches/${created.id}/retry`), routeContext(created.id));
    expect(response.status).toBe(202);
    const answer = await readJson<{ batch: BatchView; requeuedCount: number }>(response);
    expect(answer.requeuedCount).toBe(2);
    expect(answer.batch.items!.map((item) => item.status)).toEqual(['succeeded', 'queued', 'succeeded', 'queued', 'succeeded']);
    await waitForBatchEnd(await runtime(), created.id);

    expect(generateSpy.mock.calls.map(([options]) => options.index)).toEqual([2, 4]);
    const after = await readJson<BatchView>(await GET(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    // Still failing (the demo fails these indexes for this prompt), with one more attempt each.
    expect(after).toMatchObject({ status: 'partial', succeeded: 3, failed: 2 });
    expect(after.items!.map((item) => item.attempts)).toEqual([1, 2, 1, 2, 1]);
    for (const index of [0, 2, 4]) expect(after.items![index]!.imageId).toBe(before.items![index]!.imageId);
  });

  it('409 with a clear message while the batch is still running, and changes nothing', async () => {
    const { runtime, generateSpy } = await useBatchTestApp({ DEMO_LATENCY_MS: '200' });
    const created = await startBatch({ prompt: 'busy', numberOfImages: 3 });
    await waitUntil(() => generateSpy.mock.calls.length === 1);
    const { store } = await runtime();
    const eventsBefore = await store.batches.listEvents(created.id);

    const response = await retry(postRequest(`/api/batches/${created.id}/retry`), routeContext(created.id));
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: 'The batch is still running: wait for it to end, or cancel it, before retrying its failed images.',
    });
    expect(await store.batches.listEvents(created.id)).toEqual(eventsBefore);
    await (await runtime()).queue.cancel(created.id);
  });

  it('answers 200 with nothing requeued when nothing failed', async () => {
    const { runtime } = await useBatchTestApp();
    const created = await startBatch({ prompt: 'fine', numberOfImages: 2 });
    await waitForBatchEnd(await runtime(), created.id);
    const response = await retry(postRequest(`/api/batches/${created.id}/retry`), routeContext(created.id));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ requeuedCount: 0, batch: { status: 'completed' } });
  });
});

describe('DELETE /api/batches/:id', () => {
  const remove = (id: string) => DELETE(new Request(`http://127.0.0.1/api/batches/${id}`, { method: 'DELETE' }), routeContext(id));

  it('deletes a finished batch: its rows, events and image files (204); the others stay', async () => {
    const { runtime, dataDirectory } = await useBatchTestApp({ DEMO_FAIL_INDEXES: '2' });
    const doomed = await startBatch({ prompt: 'delete me', numberOfImages: 3 });
    const kept = await startBatch({ prompt: 'keep me', numberOfImages: 1 });
    const { store } = await runtime();
    await waitForBatchEnd(await runtime(), doomed.id);
    await waitForBatchEnd(await runtime(), kept.id);
    const imagesDirectory = join(dataDirectory, 'images');
    const before = await readdir(imagesDirectory);
    const doomedImages = (await store.batches.getBatch(doomed.id))!.items.flatMap((item) => (item.image ? [item.image.imageId] : []));
    expect(doomedImages).toHaveLength(2);

    const response = await remove(doomed.id);
    expect(response.status).toBe(204);

    expect(await store.batches.getBatch(doomed.id)).toBeUndefined();
    const after = await readdir(imagesDirectory);
    expect(after.sort()).toEqual(before.filter((name) => !doomedImages.includes(name)).sort());
    expect((await GET(getRequest(`/api/batches/${doomed.id}`), routeContext(doomed.id))).status).toBe(404);
    expect((await GET(getRequest(`/api/batches/${kept.id}`), routeContext(kept.id))).status).toBe(200);
  });

  it('on a running batch: 409 saying to cancel first, and nothing changes', async () => {
    const { runtime, generateSpy } = await useBatchTestApp({ DEMO_LATENCY_MS: '300' });
    const running = await startBatch({ prompt: 'still going', numberOfImages: 3 });
    await waitUntil(() => generateSpy.mock.calls.length === 1);
    const response = await remove(running.id);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/cancel it .* before deleting it/) });
    await waitForBatchEnd(await runtime(), running.id);
    expect((await (await runtime()).store.batches.getBatch(running.id))).toMatchObject({ status: 'completed', succeeded: 3 });
  });
});

describe('GET /api/storage', () => {
  it('says how many batches and images are kept, and their bytes', async () => {
    const { runtime } = await useBatchTestApp();
    const { GET: storage } = await import('../../storage/route');
    expect(await (await storage(new Request('http://localhost/api/storage'))).json()).toEqual({ batchCount: 0, imageCount: 0, imageBytes: 0 });
    const created = await startBatch({ prompt: 'count me', numberOfImages: 2 });
    await waitForBatchEnd(await runtime(), created.id);
    const usage = await (await storage(new Request('http://localhost/api/storage'))).json();
    expect(usage).toMatchObject({ batchCount: 1, imageCount: 2 });
    expect(usage.imageBytes).toBeGreaterThan(1_000);
  });
});
