import { describe, expect, it } from 'vitest';
import { isStoreError } from '../../store-error';
import {
  canceled,
  failed,
  rejectionOf,
  runItem,
  sampleBatch,
  sampleError,
  sampleImage,
  succeeded,
  type UseContext,
} from '../conformance-context';

export function describeItems(useContext: UseContext): void {
  describe('startItem', () => {
    it('claims a queued item once, and the batch starts running', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());

      const change = await store.startItem({ batchId: batch.id, index: 2 });

      expect(change?.item).toMatchObject({ index: 2, status: 'running', attempts: 0 });
      expect(change?.item.startedAt).toEqual(expect.any(String));
      expect(change?.batch.status).toBe('running');
      expect(await store.startItem({ batchId: batch.id, index: 2 })).toBeUndefined();
    });

    it('does not claim an item that is no longer queued, and logs no event for it', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      await store.cancelQueuedItems(batch.id);
      const logged = await store.listEvents(batch.id);

      const event = { type: 'item-start', index: 1, attempt: 1, etaMs: null } as const;
      const change = await store.startItem({ batchId: batch.id, index: 1, event });

      expect(change).toBeUndefined();
      expect((await store.getBatch(batch.id))?.items[0]?.status).toBe('canceled');
      expect(await store.listEvents(batch.id)).toEqual(logged);
    });

    it('rejects an unknown batch or item as not_found', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      // One call at a time: a second promise that rejected while the first was awaited would be unhandled.
      for (const attempt of [() => store.startItem({ batchId: 'missing', index: 1 }), () => store.startItem({ batchId: batch.id, index: 4 })]) {
        const error = await rejectionOf(attempt());
        expect(isStoreError(error) && error.kind).toBe('not_found');
      }
    });
  });

  describe('finishItem', () => {
    it('keeps what the provider reported and what the image cost; the batch adds the costs up', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ isDemo: false }));
      const usage = { inputTokens: 12, outputTokens: 1120, thoughtTokens: 180, totalTokens: 1312 };
      await runItem(store, batch.id, 1, { status: 'succeeded', image: sampleImage('1'), usage, costUsd: 0.0336 }, 1);
      const change = await runItem(store, batch.id, 2, { status: 'succeeded', image: sampleImage('2'), costUsd: 0.05 }, 1);
      await runItem(store, batch.id, 3, failed, 1);

      expect(change.batch.costUsd).toBeCloseTo(0.0836, 9);
      const stored = (await store.getBatch(batch.id))!;
      expect(stored.items[0]).toMatchObject({ usage, costUsd: 0.0336 });
      expect(stored.items[1]!.usage).toBeUndefined();
      expect(stored.items[2]!.costUsd).toBeUndefined();
      expect(stored).toMatchObject({ isDemo: false, costUsd: expect.closeTo(0.0836, 9) });
    });

    it('keeps the seed an image was made with, up to 2^48 (ComfyUI\'s random seeds)', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ isDemo: false }));
      await runItem(store, batch.id, 1, { status: 'succeeded', image: sampleImage('1'), seed: 2 ** 48 - 1 }, 1);
      await runItem(store, batch.id, 2, { status: 'succeeded', image: sampleImage('2') }, 1);
      const stored = (await store.getBatch(batch.id))!;
      expect(stored.items[0]!.seed).toBe(2 ** 48 - 1);
      expect(stored.items[1]!.seed).toBeUndefined();
    });

    it('keeps the demo flag the batch was created with', async () => {
      const { store } = useContext();
      const demo = await store.createBatch(sampleBatch({ isDemo: true }));
      const real = await store.createBatch(sampleBatch({ providerId: 'gemini' }));
      expect([(await store.getBatch(demo.id))!.isDemo, (await store.getBatch(real.id))!.isDemo, demo.costUsd]).toEqual([true, false, 0]);
    });

    it('records a success with its image, attempts and end time', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());

      const change = await runItem(store, batch.id, 1, succeeded('1'), 2);

      expect(change.item).toMatchObject({ status: 'succeeded', attempts: 2, image: sampleImage('1') });
      expect(change.item.endedAt).toEqual(expect.any(String));
      expect(change.item).not.toHaveProperty('error');
      expect(change.batch).toMatchObject({ status: 'running', succeeded: 1, failed: 0 });
    });

    it('records a failure with its kind, message and details', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());

      const change = await runItem(store, batch.id, 2, failed, 3);

      expect(change.item).toMatchObject({ status: 'failed', attempts: 3, error: sampleError });
      expect(change.item).not.toHaveProperty('image');
      expect((await store.getBatch(batch.id))?.items[1]?.error).toEqual(sampleError);
      expect(change.batch.failed).toBe(1);
    });

    it('keeps an error without details as such', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 1 }));
      const change = await runItem(store, batch.id, 1, { status: 'failed', error: { kind: 'internal', message: 'Internal error' } });
      expect(change.item.error).toEqual({ kind: 'internal', message: 'Internal error' });
    });

    it('refuses to finish an item that is not running, and changes nothing', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      await runItem(store, batch.id, 1, succeeded());

      for (const index of [1, 2]) {
        const error = await rejectionOf(store.finishItem({ batchId: batch.id, index, result: failed, attemptsInRun: 1 }));
        expect(isStoreError(error) && error.kind).toBe('conflict');
      }
      const after = await store.getBatch(batch.id);
      expect(after?.items.map((item) => item.status)).toEqual(['succeeded', 'queued', 'queued']);
      expect(after?.items[0]?.attempts).toBe(1);
    });

    it('ends the batch as the engine names it', async () => {
      const { store } = useContext();
      const outcomes = {
        completed: [succeeded(), succeeded()],
        partial: [succeeded(), failed],
        failed: [failed, failed],
        canceled: [succeeded(), canceled],
      } as const;
      for (const [expected, results] of Object.entries(outcomes)) {
        const batch = await store.createBatch(sampleBatch({ itemCount: 2 }));
        let last;
        for (const [position, result] of results.entries()) last = await runItem(store, batch.id, position + 1, result);
        expect(last?.batch.status).toBe(expected);
      }
    });
  });

  describe('cancelQueuedItems', () => {
    it('cancels only queued items: running ones finish, ended ones stay', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 4 }));
      await runItem(store, batch.id, 1, succeeded());
      await runItem(store, batch.id, 2, failed);
      await store.startItem({ batchId: batch.id, index: 3 });

      const canceled = await store.cancelQueuedItems(batch.id);
      expect(canceled.count).toBe(1);
      // The canceled item's item-end, logged with the change; the batch goes on (item 3 runs).
      expect(canceled.events).toEqual([expect.objectContaining({ type: 'item-end', index: 4, status: 'canceled' })]);

      let after = await store.getBatch(batch.id);
      expect(after?.items.map((item) => item.status)).toEqual(['succeeded', 'failed', 'running', 'canceled']);
      expect(after?.status).toBe('running');
      const last = await store.finishItem({ batchId: batch.id, index: 3, result: succeeded('3'), attemptsInRun: 1 });
      expect(last.batchEnd).toMatchObject({ type: 'batch-end', status: 'canceled' });
      after = await store.getBatch(batch.id);
      expect(after).toMatchObject({ status: 'canceled', succeeded: 2, failed: 1, canceled: 1 });
      expect(await store.cancelQueuedItems(batch.id)).toEqual({ count: 0, events: [] });
    });

    it('ends an idle batch at once and leaves other batches alone', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      const other = await store.createBatch(sampleBatch());

      const { count, events } = await store.cancelQueuedItems(batch.id);
      expect(count).toBe(3);
      expect(events.map((event) => [event.type, 'index' in event ? event.index : undefined])).toEqual([
        ['item-end', 1],
        ['item-end', 2],
        ['item-end', 3],
        ['batch-end', undefined],
      ]);
      expect(events.at(-1)).toMatchObject({ status: 'canceled', total: 3, completed: 0, failed: 0 });

      expect(await store.getBatch(batch.id)).toMatchObject({ status: 'canceled', canceled: 3 });
      expect(await store.getBatch(other.id)).toMatchObject({ status: 'queued', canceled: 0 });
      const error = await rejectionOf(store.cancelQueuedItems('missing'));
      expect(isStoreError(error) && error.kind).toBe('not_found');
    });
  });

  describe('requeueItems', () => {
    async function endedBatch() {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 4 }));
      await runItem(store, batch.id, 1, succeeded('1'));
      await runItem(store, batch.id, 2, failed, 3);
      await runItem(store, batch.id, 3, canceled);
      await runItem(store, batch.id, 4, failed);
      return batch.id;
    }

    it('requeues only failed and canceled items, clearing errors and keeping attempts', async () => {
      const { store } = useContext();
      const batchId = await endedBatch();

      expect((await store.requeueItems(batchId)).count).toBe(3);

      const after = await store.getBatch(batchId);
      expect(after?.items.map((item) => item.status)).toEqual(['succeeded', 'queued', 'queued', 'queued']);
      expect(after?.items[0]).toMatchObject({ image: sampleImage('1'), attempts: 1 });
      expect(after?.items[1]).toEqual({ batchId, index: 2, prompt: 'a lighthouse at dusk', status: 'queued', attempts: 3, runAttempts: 0 });
      expect(after).toMatchObject({ status: 'running', succeeded: 1, failed: 0, canceled: 0 });
      expect((await store.listRunnableItems()).map(({ item }) => item.index)).toEqual([2]);
    });

    it('logs the new run\'s first event with the requeue, and none when nothing was requeued', async () => {
      const { store } = useContext();
      const batchId = await endedBatch();
      const eventsBefore = await store.listEvents(batchId);
      const runStart = { type: 'batch-start', provider: 'demo', model: 'demo-1', isDemo: true, mode: 'text-to-image', etaMs: null } as const;

      const requeued = await store.requeueItems(batchId, ['failed', 'canceled'], runStart);
      expect(requeued.count).toBe(3);
      const logged = (await store.listEvents(batchId)).slice(eventsBefore.length);
      expect(logged).toEqual([expect.objectContaining({ type: 'batch-start', sequence: eventsBefore.length + 1, total: 4, completed: 1, failed: 0 })]);
      expect(requeued.runStart).toEqual(logged[0]);

      const nothingLeft = await store.createBatch(sampleBatch({ itemCount: 2 }));
      await runItem(store, nothingLeft.id, 1, succeeded());
      await runItem(store, nothingLeft.id, 2, succeeded('2'));
      const quietBefore = (await store.listEvents(nothingLeft.id)).length;
      expect((await store.getBatch(nothingLeft.id))?.status).toBe('completed');
      expect(await store.requeueItems(nothingLeft.id, ['failed', 'canceled'], runStart)).toEqual({ count: 0 });
      expect(await store.listEvents(nothingLeft.id)).toHaveLength(quietBefore);
    });

    it('requeues only the statuses asked for', async () => {
      const { store } = useContext();
      const batchId = await endedBatch();

      expect((await store.requeueItems(batchId, ['failed'])).count).toBe(2);

      const after = await store.getBatch(batchId);
      expect(after?.items.map((item) => item.status)).toEqual(['succeeded', 'queued', 'canceled', 'queued']);
    });

    it('adds the attempts of the next run to the item', async () => {
      const { store } = useContext();
      const batchId = await endedBatch();
      await store.requeueItems(batchId);
      const change = await runItem(store, batchId, 2, succeeded('2'), 2);
      expect(change.item.attempts).toBe(5);
    });

    it('refuses to requeue while the batch is queued or running, and changes nothing', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      await runItem(store, batch.id, 1, failed);

      const error = await rejectionOf(store.requeueItems(batch.id));

      expect(isStoreError(error) && error.kind).toBe('conflict');
      expect((await store.getBatch(batch.id))?.items[0]?.status).toBe('failed');
      expect(isStoreError(await rejectionOf(store.requeueItems('missing')))).toBe(true);
      await expect(store.requeueItems(batch.id, ['succeeded' as 'failed'])).rejects.toThrow(RangeError);
    });

    it('does nothing for a completed batch', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, batch.id, 1, succeeded());
      expect((await store.requeueItems(batch.id)).count).toBe(0);
      expect((await store.getBatch(batch.id))?.status).toBe('completed');
    });
  });

  describe('requeueInterruptedItems', () => {
    it('puts every running item back in the queue, in every batch, and nothing else', async () => {
      const { store } = useContext();
      const first = await store.createBatch(sampleBatch());
      const second = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, first.id, 1, succeeded());
      await store.startItem({ batchId: first.id, index: 2 });
      await store.startItem({ batchId: second.id, index: 1 });

      expect(await store.requeueInterruptedItems()).toBe(2);

      const firstAfter = await store.getBatch(first.id);
      expect(firstAfter?.items.map((item) => item.status)).toEqual(['succeeded', 'queued', 'queued']);
      expect(firstAfter?.items[1]).not.toHaveProperty('startedAt');
      expect(firstAfter?.status).toBe('running');
      expect((await store.getBatch(second.id))?.status).toBe('queued');
      expect(await store.requeueInterruptedItems()).toBe(0);
    });
  });
}
