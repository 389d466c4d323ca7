import { describe, expect, it } from 'vitest';
import { readPngTextChunks, StoreError, type BatchEvent } from '@/lib/store';
import { createControllableProvider, tinyPng } from './testing/controllable-provider';
import { newBatch, startQueueHarness } from './testing/queue-harness';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const summary = (events: BatchEvent[]) =>
  events.map((event) => [event.sequence, event.type, 'index' in event ? event.index : undefined, 'status' in event ? event.status : undefined]);

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('batch queue', () => {
  it('runs every item, stores each image before logging its success, logs the events in order', async () => {
    const provider = createControllableProvider();
    const harness = await startQueueHarness({ providers: [provider] });
    const created = await harness.queue.enqueue(newBatch('fake', 3));
    expect(created).toMatchObject({ status: 'queued', total: 3 });

    await harness.waitForBatchEnd(created.id);
    const batch = (await harness.store.batches.getBatch(created.id))!;
    expect(batch).toMatchObject({ status: 'completed', succeeded: 3, failed: 0 });
    expect(summary(await harness.events(created.id))).toEqual([
      [1, 'batch-start', undefined, undefined],
      [2, 'item-start', 1, undefined],
      [3, 'item-end', 1, 'succeeded'],
      [4, 'item-start', 2, undefined],
      [5, 'item-end', 2, 'succeeded'],
      [6, 'item-start', 3, undefined],
      [7, 'item-end', 3, 'succeeded'],
      [8, 'batch-end', undefined, 'completed'],
    ]);
    const events = await harness.events(created.id);
    expect(events[0]).toMatchObject({ provider: 'fake', model: 'fake-model', isDemo: false, mode: 'text-to-image', total: 3 });
    expect(events.at(-1)).toMatchObject({ completed: 3, failed: 0, etaMs: 0 });
    for (const item of batch.items) {
      const end = events.find((event) => event.type === 'item-end' && event.index === item.index);
      expect(end).toMatchObject({ imageId: item.image!.imageId, mimeType: 'image/png' });
      expect(end).not.toHaveProperty('data');
      const opened = await harness.store.blobs.open(item.image!.imageId);
      const bytes = await readAll(opened.stream);
      // The stored PNG carries its prompt and parameters as text chunks.
      expect(readPngTextChunks(bytes).find((entry) => entry.keyword === 'prompt')?.text).toBe('a lighthouse at dusk');
    }
    expect(provider.calls.map((call) => call.request.index)).toEqual([1, 2, 3]);
  });

  it('serves batches round-robin on a shared lane: a small batch is not starved by a big one', async () => {
    const provider = createControllableProvider({ delayMs: 2 });
    const harness = await startQueueHarness({ providers: [provider] });
    const big = await harness.queue.enqueue(newBatch('fake', 20, 'big'));
    await until(() => provider.calls.length >= 2);
    const small = await harness.queue.enqueue(newBatch('fake', 1, 'small'));

    await harness.waitForBatchEnd(small.id);
    const bigCallsBeforeSmallEnded = provider.calls.filter((call) => call.request.prompt === 'big').length;
    expect(bigCallsBeforeSmallEnded).toBeLessThanOrEqual(4);
    await harness.waitForBatchEnd(big.id);
    expect(provider.calls).toHaveLength(21);
    expect(provider.inFlight.max).toBe(1);
  });

  it('a retry waiting for its backoff frees its slot: with concurrency 1, batch B runs while batch A waits', async () => {
    const provider = createControllableProvider({
      // A's first call fails (retryable); everything else succeeds.
      failWith: (request) => (request.prompt === 'A' && provider.calls.filter((call) => call.request.prompt === 'A').length === 1 ? 'overloaded' : undefined),
    });
    const harness = await startQueueHarness({
      providers: [provider],
      lane: { concurrency: 1, minIntervalMs: 0 },
      retryPolicy: { maxAttempts: 3, baseDelayMs: 1_500, maxDelayMs: 1_500 },
      random: () => 1,
    });
    const a = await harness.queue.enqueue(newBatch('fake', 1, 'A'));
    await until(() => provider.calls.length === 1);
    const b = await harness.queue.enqueue(newBatch('fake', 1, 'B'));

    await harness.waitForBatchEnd(b.id);
    const [firstA, callB] = provider.calls;
    expect([firstA!.request.prompt, callB!.request.prompt]).toEqual(['A', 'B']);
    // B did not wait for A's 1.5 s backoff.
    expect(callB!.startedAtMs - firstA!.startedAtMs).toBeLessThan(1_000);
    expect((await harness.store.batches.getBatch(a.id))!.items[0]).toMatchObject({ status: 'queued', attempts: 1, runAttempts: 1 });

    await harness.waitForBatchEnd(a.id);
    const secondA = provider.calls[2]!;
    expect(secondA.request.prompt).toBe('A');
    expect(secondA.startedAtMs - firstA!.startedAtMs).toBeGreaterThanOrEqual(1_400);
    expect((await harness.store.batches.getBatch(a.id))!.items[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    const retries = (await harness.events(a.id)).filter((event) => event.type === 'item-retry');
    expect(retries).toEqual([expect.objectContaining({ index: 1, attempt: 1, delayMs: 1_500, kind: 'overloaded' })]);
  });

  it('retention: deletes finished batches changed before the cut-off with their files, never a running one', async () => {
    const provider = createControllableProvider({ isHolding: true });
    const harness = await startQueueHarness({ providers: [provider] });
    const done = await harness.queue.enqueue(newBatch('fake', 1, 'done'));
    provider.releaseAll();
    await harness.waitForBatchEnd(done.id);
    provider.options.isHolding = true;
    const running = await harness.queue.enqueue(newBatch('fake', 1, 'running'));
    await until(() => provider.calls.length === 2);
    const imageId = (await harness.store.batches.getBatch(done.id))!.items[0]!.image!.imageId;

    expect(await harness.queue.deleteFinishedBefore(new Date(Date.now() + 60_000))).toBe(1);
    expect(await harness.store.batches.getBatch(done.id)).toBeUndefined();
    await expect(harness.store.blobs.open(imageId)).rejects.toMatchObject({ kind: 'not_found' });
    expect((await harness.store.batches.getBatch(running.id))!.status).toBe('running');
    provider.releaseAll();
  });

  it('a full disk: the image fails as storage_full, no new call is made until a write succeeds again, then the batch goes on', async () => {
    const provider = createControllableProvider();
    let isFull = true;
    const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const harness = await startQueueHarness({
      providers: [provider],
      storageRecheckMs: 50,
      wrapBlobs: (blobs) => ({
        ...blobs,
        put: (...args) => (isFull ? Promise.reject(enospc()) : blobs.put(...args)),
        checkWritable: () => (isFull ? Promise.reject(enospc()) : blobs.checkWritable()),
      }),
    });
    const created = await harness.queue.enqueue(newBatch('fake', 3));
    await until(() => provider.calls.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // One paid call, then nothing while the disk is full.
    expect(provider.calls).toHaveLength(1);
    const during = (await harness.store.batches.getBatch(created.id))!;
    expect(during.items[0]).toMatchObject({ status: 'failed', error: { kind: 'storage_full', message: expect.stringMatching(/Storage is full/) } });
    expect(during.items.slice(1).map((item) => item.status)).toEqual(['queued', 'queued']);

    isFull = false;
    await harness.waitForBatchEnd(created.id);
    expect(provider.calls).toHaveLength(3);
    expect(await harness.store.batches.getBatch(created.id)).toMatchObject({ status: 'partial', succeeded: 2, failed: 1 });
  });

  it('keeps up to the lane concurrency in flight, never more', async () => {
    const provider = createControllableProvider({ delayMs: 5 });
    const harness = await startQueueHarness({ providers: [provider], lane: { concurrency: 3 } });
    const created = await harness.queue.enqueue(newBatch('fake', 9));
    await harness.waitForBatchEnd(created.id);
    expect(provider.inFlight.max).toBe(3);
  });

  it('with maxItemsInFlight, runs no more items at once than that, whatever the lane allows, and claims no more', async () => {
    const provider = createControllableProvider({ delayMs: 20 });
    const harness = await startQueueHarness({ providers: [provider], lane: { concurrency: 4 }, maxItemsInFlight: 2 });
    const created = await harness.queue.enqueue(newBatch('fake', 8));
    let maxRunning = 0;
    const sampling = setInterval(() => {
      void harness.store.batches.getBatch(created.id).then((batch) => {
        maxRunning = Math.max(maxRunning, batch?.items.filter((item) => item.status === 'running').length ?? 0);
      });
    }, 2);
    await harness.waitForBatchEnd(created.id).finally(() => clearInterval(sampling));
    expect(provider.inFlight.max).toBe(2);
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(provider.calls).toHaveLength(8);
  });

  it('takes more items at once as soon as the lane raises its concurrency (an adaptive lane growing), not at the next item end', async () => {
    const provider = createControllableProvider({ isHolding: true });
    // The safety poll is a minute away: only the lane's signal can wake the worker in time.
    const harness = await startQueueHarness({ providers: [provider], lane: { concurrency: 1 } });
    const created = await harness.queue.enqueue(newBatch('fake', 4));
    await until(() => provider.calls.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(provider.calls).toHaveLength(1);

    harness.lanes.get('fake')!.setConcurrency(3);
    await until(() => provider.calls.length === 3, 1_000);
    expect(provider.calls).toHaveLength(3);
    provider.releaseAll();
    await until(() => provider.calls.length === 4);
    provider.releaseAll();
    await harness.waitForBatchEnd(created.id);
  });

  it('cancel: queued items end canceled at once, the call in flight is aborted, nothing more reaches the provider', async () => {
    const provider = createControllableProvider({ isHolding: true });
    const logged: { event: string; fields: Record<string, unknown> }[] = [];
    const harness = await startQueueHarness({ providers: [provider], log: (event, fields) => logged.push({ event, fields }) });
    const created = await harness.queue.enqueue(newBatch('fake', 5));
    await until(() => provider.calls.length === 1);

    expect(await harness.queue.cancel(created.id)).toBe(4);
    await harness.waitForBatchEnd(created.id);
    provider.releaseAll();
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]!.signal?.aborted).toBe(true);
    const batch = (await harness.store.batches.getBatch(created.id))!;
    expect(batch).toMatchObject({ status: 'canceled', canceled: 5 });
    const events = await harness.events(created.id);
    expect(events.filter((event) => event.type === 'item-end').map((event) => [event.index, 'status' in event && event.status]).sort()).toEqual([
      [1, 'canceled'],
      [2, 'canceled'],
      [3, 'canceled'],
      [4, 'canceled'],
      [5, 'canceled'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'batch-end', status: 'canceled' });
    // The server log counts canceled images as canceled, not as failed.
    expect(logged.filter((line) => line.event === 'batch-end').map((line) => line.fields)).toEqual([
      { batchId: created.id, status: 'canceled', total: 5, succeeded: 0, failed: 0, canceled: 5 },
    ]);
    // Idempotent: a second cancel changes nothing and logs nothing.
    expect(await harness.queue.cancel(created.id)).toBe(0);
    expect(await harness.events(created.id)).toHaveLength(events.length);
    expect(logged.filter((line) => line.event === 'batch-end')).toHaveLength(1);
  });

  it('logs one batch-end line per run with succeeded, failed and canceled apart', async () => {
    const provider = createControllableProvider({ failWith: (request) => (request.index === 2 ? 'safety_blocked' : undefined) });
    const logged: { event: string; fields: Record<string, unknown> }[] = [];
    const harness = await startQueueHarness({ providers: [provider], log: (event, fields) => logged.push({ event, fields }) });
    const created = await harness.queue.enqueue(newBatch('fake', 3));
    await harness.waitForBatchEnd(created.id);
    const batch = (await harness.store.batches.getBatch(created.id))!;
    expect(logged.filter((line) => line.event === 'batch-end').map((line) => line.fields)).toEqual([
      { batchId: created.id, status: batch.status, total: 3, succeeded: 2, failed: 1, canceled: 0 },
    ]);
  });

  it('retry requeues only the failed and canceled items; the images already made keep their ids', async () => {
    const provider = createControllableProvider({ failWith: (request) => ([2, 4].includes(request.index) ? 'safety_blocked' : undefined) });
    const harness = await startQueueHarness({ providers: [provider] });
    const created = await harness.queue.enqueue(newBatch('fake', 5));
    await harness.waitForBatchEnd(created.id);
    const before = (await harness.store.batches.getBatch(created.id))!;
    expect(before).toMatchObject({ status: 'partial', succeeded: 3, failed: 2 });
    expect(before.items[1]!.error).toMatchObject({ kind: 'safety_blocked', message: 'Blocked by the safety filter' });

    provider.options.failWith = undefined;
    const callsBefore = provider.calls.length;
    expect(await harness.queue.retry(created.id)).toBe(2);
    await harness.waitForBatchEnd(created.id);

    expect(provider.calls.slice(callsBefore).map((call) => call.request.index)).toEqual([2, 4]);
    const after = (await harness.store.batches.getBatch(created.id))!;
    expect(after).toMatchObject({ status: 'completed', succeeded: 5, failed: 0 });
    for (const index of [1, 3, 5]) expect(after.items[index - 1]!.image).toEqual(before.items[index - 1]!.image);
    expect(after.items[1]!.attempts).toBe(2);
    const events = await harness.events(created.id);
    const secondRun = events.slice(events.findLastIndex((event) => event.type === 'batch-start'));
    expect(summary(secondRun).map(([, type, index]) => [type, index])).toEqual([
      ['batch-start', undefined],
      ['item-start', 2],
      ['item-end', 2],
      ['item-start', 4],
      ['item-end', 4],
      ['batch-end', undefined],
    ]);
  });

  it('refuses to retry a batch that is still running, and changes nothing', async () => {
    const provider = createControllableProvider({ isHolding: true });
    const harness = await startQueueHarness({ providers: [provider] });
    const created = await harness.queue.enqueue(newBatch('fake', 2));
    await until(() => provider.calls.length === 1);
    const eventsBefore = await harness.events(created.id);

    const error = await harness.queue.retry(created.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ kind: 'conflict' });
    expect(await harness.events(created.id)).toEqual(eventsBefore);
    provider.releaseAll();
    await harness.waitForBatchEnd(created.id);
  });

  it('on start, requeues the items a crash left running and finishes the batch', async () => {
    const provider = createControllableProvider();
    const first = await startQueueHarness({ providers: [provider], isStarted: false });
    const created = await first.queue.enqueue(newBatch('fake', 3));
    // What a crash leaves: item 1 claimed, never finished.
    await first.store.batches.startItem({ batchId: created.id, index: 1 });
    await first.close();

    const second = await startQueueHarness({ providers: [provider], dataDirectory: first.dataDirectory });
    await second.waitForBatchEnd(created.id);
    expect(await second.store.batches.getBatch(created.id)).toMatchObject({ status: 'completed', succeeded: 3 });
    expect(provider.calls.map((call) => call.request.index)).toEqual([1, 2, 3]);
  });

  it('with several workers on one database, only an expired lease is recovered: a live worker keeps its item', async () => {
    const provider = createControllableProvider({ isHolding: true });
    const first = await startQueueHarness({ providers: [provider], leaseMs: 400 });
    const created = await first.queue.enqueue(newBatch('fake', 1));
    await until(() => provider.calls.length === 1);

    // A second worker on the same database, started while the first holds the item: it must not take it.
    const other = createControllableProvider();
    const second = await startQueueHarness({
      providers: [other],
      dataDirectory: first.dataDirectory,
      isSoleWorker: false,
      leaseMs: 400,
      safetyPollIntervalMs: 50,
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(other.calls).toHaveLength(0);
    expect((await second.store.batches.getBatch(created.id))!.items[0]!.status).toBe('running');

    // The first worker dies (its renewals stop); once its lease expires the second one takes over.
    await first.close();
    await second.waitForBatchEnd(created.id);
    expect(other.calls).toHaveLength(1);
    expect(await second.store.batches.getBatch(created.id)).toMatchObject({ status: 'completed', succeeded: 1 });
  });

  it('stop interrupts the calls in flight and leaves their items running for the next start', async () => {
    const provider = createControllableProvider({ isHolding: true });
    const harness = await startQueueHarness({ providers: [provider] });
    const created = await harness.queue.enqueue(newBatch('fake', 2));
    await until(() => provider.calls.length === 1);
    await harness.queue.stop();
    expect(provider.calls[0]!.signal?.aborted).toBe(true);
    const batch = (await harness.store.batches.getBatch(created.id))!;
    expect(batch.items.map((item) => item.status)).toEqual(['running', 'queued']);
  });

  it('image-to-image: the stored input image reaches the provider for every item', async () => {
    const provider = createControllableProvider();
    const harness = await startQueueHarness({ providers: [provider] });
    const inputImage = await harness.store.blobs.put(tinyPng(), 'image/png');
    const created = await harness.queue.enqueue({
      ...newBatch('fake', 2),
      mode: 'image-to-image',
      params: { numberOfImages: 2, aspectRatio: '16:9', inputImage },
    });
    await harness.waitForBatchEnd(created.id);
    // A batch stored before several input images existed (params.inputImage) still runs with its image.
    expect(provider.calls.map((call) => call.request.inputImages?.map((image) => image.mimeType))).toEqual([['image/png'], ['image/png']]);
    expect(Buffer.from(provider.calls[0]!.request.inputImages![0]!.bytes)).toEqual(Buffer.from(tinyPng()));
    expect(provider.calls[0]!.request.aspectRatio).toBe('16:9');
  });

  it('an item whose provider is not configured here fails with the reason; the batch still ends', async () => {
    const provider = createControllableProvider();
    const harness = await startQueueHarness({ providers: [provider], safetyPollIntervalMs: 20 });
    // A batch from another configuration (say, a key removed since), written straight to the store:
    // nothing wakes the worker, the safety poll finds it.
    const orphan = await harness.store.batches.createBatch(newBatch('gemini', 2));
    await harness.waitForBatchEnd(orphan.id);
    const batch = (await harness.store.batches.getBatch(orphan.id))!;
    expect(batch).toMatchObject({ status: 'failed', failed: 2 });
    expect(batch.items[0]!.error).toMatchObject({ kind: 'internal', message: 'Provider "gemini" is not available on this server' });
  });

  it('enqueue refuses an unknown provider before writing anything', async () => {
    const harness = await startQueueHarness({ providers: [createControllableProvider()] });
    await expect(harness.queue.enqueue(newBatch('nope', 1))).rejects.toThrow(/not configured/);
    expect((await harness.store.batches.listBatches()).batches).toEqual([]);
  });

  it('the change that ends a batch logs its batch-end in the same transaction: no log can lack it', async () => {
    const harness = await startQueueHarness({ providers: [createControllableProvider()], isStarted: false });
    const created = await harness.queue.enqueue(newBatch('fake', 1));
    await harness.store.batches.startItem({ batchId: created.id, index: 1 });
    const change = await harness.store.batches.finishItem({ batchId: created.id, index: 1, result: { status: 'canceled' }, attemptsInRun: 0 });
    expect(change.batchEnd).toMatchObject({ type: 'batch-end', status: 'canceled', sequence: 2 });
    expect((await harness.events(created.id)).map((event) => event.type)).toEqual(['batch-start', 'batch-end']);
  });

  it('publishes each logged event to live subscribers, in sequence order', async () => {
    const harness = await startQueueHarness({ providers: [createControllableProvider()], isStarted: false });
    const created = await harness.queue.enqueue(newBatch('fake', 2));
    const published: number[] = [];
    const unsubscribe = harness.queue.subscribe(created.id, (event) => published.push(event.sequence));
    await harness.queue.start();
    await harness.waitForBatchEnd(created.id);
    unsubscribe();
    expect(published).toEqual([2, 3, 4, 5, 6]);
  });
});
