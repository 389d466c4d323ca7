import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchView } from '@/lib/server';
import {
  createSseReader,
  getRequest,
  readJson,
  routeContext,
  useBatchTestApp,
  waitForBatchEnd,
} from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { POST as createBatch } from '../../route';
import { GET } from './route';

afterEach(() => vi.unstubAllEnvs());

async function startBatch(body: Record<string, unknown>): Promise<BatchView> {
  return readJson<BatchView>(await createBatch(jsonRequest('/api/batches', body)));
}

const connect = (batchId: string, headers: Record<string, string> = {}, query = '') =>
  GET(getRequest(`/api/batches/${batchId}/events${query}`, { accept: 'text/event-stream', ...headers }), routeContext(batchId));

describe('GET /api/batches/:id/events', () => {
  it('a finished batch replays its whole log, one id per durable sequence, and closes', async () => {
    const { runtime } = await useBatchTestApp({ DEMO_FAIL_INDEXES: '2' });
    const created = await startBatch({ prompt: 'replay', numberOfImages: 3 });
    await waitForBatchEnd(await runtime(), created.id);

    const response = await connect(created.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const frames = await createSseReader(response).rest();
    expect(frames.map((frame) => frame.id)).toEqual(frames.map((_, position) => String(position + 1)));
    expect(frames.map((frame) => frame.event)).toEqual([
      'batch-start',
      'item-start',
      'item-end',
      'item-start',
      'item-end',
      'item-start',
      'item-end',
      'batch-end',
    ]);
    expect(frames[0]!.data).toMatchObject({ type: 'batch-start', provider: 'demo', isDemo: true, mode: 'text-to-image', total: 3 });
    const ends = frames.filter((frame) => frame.data.type === 'item-end').map((frame) => frame.data);
    expect(ends[0]).toMatchObject({ index: 1, status: 'succeeded', imageUrl: expect.stringMatching(/^\/api\/images\/.+\.png$/) });
    expect(ends[0]).not.toHaveProperty('data');
    expect(ends[1]).toMatchObject({ index: 2, status: 'failed', kind: 'safety_blocked', error: 'Blocked by the safety filter' });
    expect(frames.at(-1)!.data).toMatchObject({ type: 'batch-end', status: 'partial', completed: 2, failed: 1, etaMs: 0 });
  });

  it('reconnecting with Last-Event-ID replays exactly what was missed, then continues live to the end', async () => {
    const { runtime } = await useBatchTestApp({ DEMO_LATENCY_MS: '60' });
    const created = await startBatch({ prompt: 'resume', numberOfImages: 6 });

    const first = createSseReader(await connect(created.id));
    const seen = [await first.next(), await first.next(), await first.next()].map((frame) => frame!);
    expect(seen.map((frame) => frame.id)).toEqual(['1', '2', '3']);
    await first.cancel(); // the tab reloads

    // Let events go by while disconnected, so the replay has something to do.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = createSseReader(await connect(created.id, { 'last-event-id': '3' }));
    const rest = await second.rest();
    expect(rest.length).toBeGreaterThan(1);
    expect(rest.map((frame) => Number(frame.id))).toEqual(rest.map((_, position) => 4 + position));
    expect(rest.at(-1)!.data).toMatchObject({ type: 'batch-end', status: 'completed', completed: 6 });

    // Exactly the durable log after 3, nothing lost or repeated at the seam between replay and live.
    const log = await (await runtime()).store.batches.listEvents(created.id, { afterSequence: 3 });
    expect(rest.map((frame) => frame.data)).toEqual(
      log.map((event) => (event.type === 'item-end' && event.imageId ? { ...event, imageUrl: `/api/images/${event.imageId}` } : event)),
    );
  });

  it('a batch view carries the last sequence it reflects: resuming from it replays nothing it already shows', async () => {
    const { runtime } = await useBatchTestApp();
    const created = await startBatch({ prompt: 'view sequence', numberOfImages: 2 });
    expect(created.lastSequence).toBe(1); // its batch-start
    await waitForBatchEnd(await runtime(), created.id);
    const log = await (await runtime()).store.batches.listEvents(created.id);

    const { GET: getBatch } = await import('../route');
    const view = await readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
    expect(view.lastSequence).toBe(log.at(-1)!.sequence);
    expect(view.status).toBe('completed');
    const frames = await createSseReader(await connect(created.id, { 'last-event-id': String(view.lastSequence) })).rest();
    expect(frames).toEqual([]);
  });

  it('takes ?lastEventId= too, for clients that cannot set the header', async () => {
    const { runtime } = await useBatchTestApp();
    const created = await startBatch({ prompt: 'query', numberOfImages: 2 });
    await waitForBatchEnd(await runtime(), created.id);
    const frames = await createSseReader(await connect(created.id, {}, '?lastEventId=4')).rest();
    expect(frames.map((frame) => frame.id)).toEqual(['5', '6']);
  });

  it('a client that already has the batch-end gets an empty stream that closes at once', async () => {
    const { runtime } = await useBatchTestApp();
    const created = await startBatch({ prompt: 'over', numberOfImages: 1 });
    await waitForBatchEnd(await runtime(), created.id);
    expect(await createSseReader(await connect(created.id, { 'last-event-id': '4' })).rest()).toEqual([]);
    expect(await createSseReader(await connect(created.id, { 'last-event-id': '999' })).rest()).toEqual([]);
  });

  it('a batch that is still queued streams from batch-start as its items run', async () => {
    const { runtime } = await useBatchTestApp({ DEMO_LATENCY_MS: '30' });
    const created = await startBatch({ prompt: 'live', numberOfImages: 2 });
    const frames = await createSseReader(await connect(created.id)).rest();
    expect(frames.map((frame) => frame.event)).toEqual(['batch-start', 'item-start', 'item-end', 'item-start', 'item-end', 'batch-end']);
    await waitForBatchEnd(await runtime(), created.id);
  });

  it.each(['abc', '-1', '1.5', '1e3', '99999999999999999999'])('400 for Last-Event-ID %s', async (lastEventId) => {
    const { runtime } = await useBatchTestApp();
    const created = await startBatch({ prompt: 'bad id', numberOfImages: 1 });
    const response = await connect(created.id, { 'last-event-id': lastEventId });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/Last-Event-ID must be/), field: 'lastEventId' });
    await waitForBatchEnd(await runtime(), created.id);
  });

  it('400 for a bad ?lastEventId=', async () => {
    const { runtime } = await useBatchTestApp();
    const created = await startBatch({ prompt: 'bad query', numberOfImages: 1 });
    expect((await connect(created.id, {}, '?lastEventId=x')).status).toBe(400);
    await waitForBatchEnd(await runtime(), created.id);
  });

  it('404 for an unknown batch, before any stream starts', async () => {
    await useBatchTestApp();
    const response = await connect('00000000-0000-4000-8000-000000000000');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/No batch/) });
  });

  it('logs a batch-end a crash cut off, so the stream still ends', async () => {
    const { runtime } = await useBatchTestApp();
    const { store } = await runtime();
    // Written straight to the store, as a crash would leave it: the item ended, no batch-end.
    const batch = await store.batches.createBatch({
      prompt: 'cut',
      mode: 'text-to-image',
      providerId: 'demo',
      modelId: 'demo-shapes-v1',
      params: { numberOfImages: 1 },
      items: [{ prompt: 'cut' }],
    });
    await store.batches.startItem({ batchId: batch.id, index: 1 });
    await store.batches.finishItem({ batchId: batch.id, index: 1, result: { status: 'canceled' }, attemptsInRun: 0 });

    const frames = await createSseReader(await connect(batch.id)).rest();
    expect(frames.map((frame) => [frame.id, frame.event])).toEqual([['1', 'batch-end']]);
    expect(frames[0]!.data).toMatchObject({ status: 'canceled' });
  });
});
