import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { BatchEventListener, ItemProgressListener } from '@/lib/queue';
import { openStore, type BatchEvent } from '@/lib/store';
import { followBatchEvents } from './batch-events';

it('sends live events in sequence even when they arrive out of order (workers in several processes), filling gaps from the log', async () => {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-follow-'));
  const store = await openStore({ dataDirectory });
  try {
    const batch = await store.batches.createBatch(
      { prompt: 'p', mode: 'text-to-image', providerId: 'demo', modelId: 'demo-shapes-v1', params: { numberOfImages: 2 }, items: [{ prompt: 'p' }, { prompt: 'p' }] },
      { type: 'batch-start', etaMs: null, provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' },
    );
    let live: BatchEventListener = () => {};
    const queue = { subscribe: (_batchId: string, listener: BatchEventListener) => ((live = listener), () => {}) };
    const sent: number[] = [];
    const following = followBatchEvents({
      store: store.batches,
      queue,
      batchId: batch.id,
      afterSequence: 0,
      send: (event) => sent.push(event.sequence),
      signal: new AbortController().signal,
    });
    while (sent.length === 0) await new Promise((resolve) => setTimeout(resolve, 5)); // the backlog (sequence 1) is sent

    const logged: BatchEvent[] = [];
    logged.push(await store.batches.appendEvent(batch.id, { type: 'item-start', index: 1, attempt: 1, etaMs: null }));
    logged.push(await store.batches.appendEvent(batch.id, { type: 'item-start', index: 2, attempt: 1, etaMs: null }));
    logged.push(await store.batches.appendEvent(batch.id, { type: 'batch-end', status: 'canceled', etaMs: 0 }));
    // Another process's events can overtake this one's: the batch-end first, then the two starts.
    live(logged[2]!);
    live(logged[1]!);
    live(logged[0]!);
    await following;
    expect(sent).toEqual([1, 2, 3, 4]);
  } finally {
    await store.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
});

it('follows a retried batch from the start to its new end: the first run\'s batch-end in the backlog does not end the stream', async () => {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-follow-'));
  const store = await openStore({ dataDirectory });
  try {
    const batch = await store.batches.createBatch(
      { prompt: 'p', mode: 'text-to-image', providerId: 'demo', modelId: 'demo-shapes-v1', params: { numberOfImages: 1 }, items: [{ prompt: 'p' }] },
      { type: 'batch-start', etaMs: null, provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' },
    );
    // The first run ended; a retry started a second run, still going (its item is queued).
    await store.batches.appendEvent(batch.id, { type: 'batch-end', status: 'canceled', etaMs: 0 });
    await store.batches.appendEvent(batch.id, { type: 'batch-start', etaMs: null, provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' });
    let live: BatchEventListener = () => {};
    const queue = { subscribe: (_batchId: string, listener: BatchEventListener) => ((live = listener), () => {}) };
    const sent: number[] = [];
    let hasEnded = false;
    const following = followBatchEvents({
      store: store.batches,
      queue,
      batchId: batch.id,
      afterSequence: 0,
      send: (event) => sent.push(event.sequence),
      signal: new AbortController().signal,
    }).then(() => (hasEnded = true));
    while (sent.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hasEnded).toBe(false);

    live(await store.batches.appendEvent(batch.id, { type: 'batch-end', status: 'canceled', etaMs: 0 }));
    await following;
    expect(sent).toEqual([1, 2, 3, 4]);
  } finally {
    await store.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
});

it('sends live step progress between the logged events, without holding it back for the backlog, and none after the batch-end', async () => {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-follow-'));
  const store = await openStore({ dataDirectory });
  try {
    const batch = await store.batches.createBatch(
      { prompt: 'p', mode: 'text-to-image', providerId: 'demo', modelId: 'demo-shapes-v1', params: { numberOfImages: 1 }, items: [{ prompt: 'p' }] },
      { type: 'batch-start', etaMs: null, provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' },
    );
    let live: BatchEventListener = () => {};
    let liveProgress: ItemProgressListener = () => {};
    const queue = {
      subscribe: (_batchId: string, listener: BatchEventListener) => ((live = listener), () => {}),
      subscribeProgress: (_batchId: string, listener: ItemProgressListener) => ((liveProgress = listener), () => {}),
    };
    const sent: string[] = [];
    // Before the backlog is out: a step now would arrive before batch-start, so it is dropped.
    const progress = (step: number) => ({ type: 'item-progress' as const, batchId: batch.id, index: 1, step, totalSteps: 3 });
    const following = followBatchEvents({
      store: store.batches,
      queue,
      batchId: batch.id,
      afterSequence: 0,
      send: (event) => sent.push(`${event.type} #${event.sequence}`),
      sendProgress: (event) => sent.push(`step ${event.step}/${event.totalSteps}`),
      signal: new AbortController().signal,
    });
    liveProgress(progress(1));
    while (sent.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const start = await store.batches.appendEvent(batch.id, { type: 'item-start', index: 1, attempt: 1, etaMs: null });
    live(start);
    liveProgress(progress(2));
    liveProgress(progress(3));
    const end = await store.batches.appendEvent(batch.id, { type: 'batch-end', status: 'canceled', etaMs: 0 });
    live(end);
    liveProgress(progress(3));
    await following;
    expect(sent).toEqual(['batch-start #1', 'item-start #2', 'step 2/3', 'step 3/3', 'batch-end #3']);
  } finally {
    await store.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
});
