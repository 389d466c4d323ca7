import { describe, expect, it } from 'vitest';
import { isStoreError } from '../../store-error';
import { failed, rejectionOf, runItem, sampleBatch, sampleImage, succeeded, type UseContext } from '../conformance-context';

/** Retries that wait in the queue, leases, one batch-end under concurrent writers, deletion. */
export function describeScheduling(useContext: UseContext): void {
  describe('retryItemLater', () => {
    it('puts a running item back in the queue, not claimable before its time; it then comes before later items', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 3 }));
      await store.startItem({ batchId: batch.id, index: 1 });
      const retryAtMs = Date.now() + 60_000;
      const change = await store.retryItemLater({
        batchId: batch.id,
        index: 1,
        attemptsInRun: 1,
        notBeforeMs: retryAtMs,
        event: { type: 'item-retry', index: 1, attempt: 1, delayMs: 60_000, kind: 'overloaded', error: 'busy', etaMs: null },
      });
      expect(change.item).toMatchObject({ status: 'queued', attempts: 1, runAttempts: 1, notBeforeMs: retryAtMs });
      expect(change.event).toMatchObject({ type: 'item-retry', index: 1 });

      // Item 2 runs meanwhile; item 1 cannot be claimed yet.
      expect((await store.listRunnableItems()).map(({ item }) => item.index)).toEqual([2]);
      expect(await store.startItem({ batchId: batch.id, index: 1 })).toBeUndefined();
      expect(await store.nextRetryAtMs()).toBe(retryAtMs);
    });

    it('a retry whose time has come goes before the later items of its batch', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 3 }));
      await store.startItem({ batchId: batch.id, index: 1 });
      await store.retryItemLater({ batchId: batch.id, index: 1, attemptsInRun: 1, notBeforeMs: Date.now() - 1 });
      expect((await store.listRunnableItems()).map(({ item }) => item.index)).toEqual([1]);
      expect(await store.nextRetryAtMs()).toBeUndefined();
      expect((await store.startItem({ batchId: batch.id, index: 1 }))?.item).toMatchObject({ status: 'running', runAttempts: 1 });
    });

    it('rejects an item that is not running as a conflict', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      const error = await rejectionOf(store.retryItemLater({ batchId: batch.id, index: 1, attemptsInRun: 1, notBeforeMs: 0 }));
      expect(isStoreError(error) && error.kind).toBe('conflict');
    });

    it('a batch retry starts the run attempts again', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, batch.id, 1, failed, 3);
      await store.requeueItems(batch.id);
      expect((await store.getBatch(batch.id))!.items[0]).toMatchObject({ attempts: 3, runAttempts: 0, status: 'queued' });
    });
  });

  describe('leases', () => {
    it('recovers only items whose lease expired; a renewed lease keeps its item', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 3 }));
      const nowMs = Date.now();
      await store.startItem({ batchId: batch.id, index: 1, lease: { owner: 'worker-a', expiresAtMs: nowMs - 1 } });
      await store.startItem({ batchId: batch.id, index: 2, lease: { owner: 'worker-b', expiresAtMs: nowMs - 1 } });
      await store.startItem({ batchId: batch.id, index: 3, lease: { owner: 'worker-c', expiresAtMs: nowMs + 60_000 } });
      expect(await store.renewLease({ batchId: batch.id, index: 2, owner: 'worker-b', expiresAtMs: nowMs + 60_000 })).toBe(true);
      // Only the holder renews.
      expect(await store.renewLease({ batchId: batch.id, index: 3, owner: 'worker-a', expiresAtMs: nowMs + 120_000 })).toBe(false);

      expect(await store.requeueInterruptedItems({ onlyExpiredLeases: true })).toBe(1);
      expect((await store.getBatch(batch.id))!.items.map((item) => item.status)).toEqual(['queued', 'running', 'running']);
      // The recovered item's old holder can no longer renew it.
      expect(await store.renewLease({ batchId: batch.id, index: 1, owner: 'worker-a', expiresAtMs: nowMs + 60_000 })).toBe(false);

      // Without the option (the sole worker's start-up), every running item comes back.
      expect(await store.requeueInterruptedItems()).toBe(2);
    });
  });

  describe('a call cut off by a crash', () => {
    it('counts in attempts when it was announced (item-start) and never recorded', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 2 }));
      await store.startItem({ batchId: batch.id, index: 1 });
      await store.appendEvent(batch.id, { type: 'item-start', index: 1, attempt: 1, etaMs: null });
      await store.startItem({ batchId: batch.id, index: 2 });
      // Item 2 was claimed but its call never started.

      expect(await store.requeueInterruptedItems()).toBe(2);
      const items = (await store.getBatch(batch.id))!.items;
      expect(items.map((item) => [item.status, item.attempts, item.runAttempts])).toEqual([
        ['queued', 1, 1],
        ['queued', 0, 0],
      ]);
      // Counted once: a second recovery adds nothing.
      await store.startItem({ batchId: batch.id, index: 1 });
      expect(await store.requeueInterruptedItems()).toBe(1);
      expect((await store.getBatch(batch.id))!.items[0]!.attempts).toBe(1);
    });
  });

  describe('one batch-end, whatever the writers', () => {
    it('two connections finishing the last two items at once: completed, exactly one batch-end', async () => {
      const { store, openAnother } = useContext();
      const other = await openAnother();
      const batch = await store.createBatch(sampleBatch({ itemCount: 2 }));
      await store.startItem({ batchId: batch.id, index: 1 });
      await other.startItem({ batchId: batch.id, index: 2 });
      const endEvent = (index: number) => ({ type: 'item-end', index, status: 'succeeded', etaMs: null }) as const;

      const [first, second] = await Promise.all([
        store.finishItem({ batchId: batch.id, index: 1, result: succeeded('1'), attemptsInRun: 1, event: endEvent(1) }),
        other.finishItem({ batchId: batch.id, index: 2, result: succeeded('2'), attemptsInRun: 1, event: endEvent(2) }),
      ]);

      expect([first.batchEnd, second.batchEnd].filter(Boolean)).toHaveLength(1);
      const events = await store.listEvents(batch.id);
      expect(events.filter((event) => event.type === 'batch-end')).toEqual([expect.objectContaining({ status: 'completed', completed: 2 })]);
      expect(events.at(-1)?.type).toBe('batch-end');
      expect((await store.getBatch(batch.id))!.status).toBe('completed');
    });
  });

  describe('deleteBatch', () => {
    it('deletes a finished batch with its items and events, and names its image files', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 2 }));
      await runItem(store, batch.id, 1, succeeded('a'));
      await runItem(store, batch.id, 2, failed);
      const kept = await store.createBatch(sampleBatch());

      const { imageIds } = await store.deleteBatch(batch.id);

      expect(imageIds).toEqual([sampleImage('a').imageId]);
      expect(await store.getBatch(batch.id)).toBeUndefined();
      const error = await rejectionOf(store.listEvents(batch.id));
      expect(isStoreError(error) && error.kind).toBe('not_found');
      expect((await store.listBatches()).batches.map((listed) => listed.id)).toEqual([kept.id]);
    });

    it('refuses a batch that is still queued or running (a conflict), and an unknown one', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      for (const [id, kind] of [
        [batch.id, 'conflict'],
        ['missing', 'not_found'],
      ] as const) {
        const error = await rejectionOf(store.deleteBatch(id));
        expect(isStoreError(error) && error.kind).toBe(kind);
      }
      expect(await store.getBatch(batch.id)).toBeDefined();
    });

    it('counts batches, images and their bytes', async () => {
      const { store } = useContext();
      expect(await store.usage()).toEqual({ batchCount: 0, imageCount: 0, imageBytes: 0 });
      const batch = await store.createBatch(sampleBatch({ itemCount: 3 }));
      await runItem(store, batch.id, 1, succeeded('1'));
      await runItem(store, batch.id, 2, succeeded('2'));
      await runItem(store, batch.id, 3, failed);
      expect(await store.usage()).toEqual({ batchCount: 1, imageCount: 2, imageBytes: 2 * sampleImage('1').byteLength });
    });

    it('lists finished batches last changed before a time, oldest first', async () => {
      const { store } = useContext();
      const done = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, done.id, 1, failed);
      const running = await store.createBatch(sampleBatch({ itemCount: 1 }));
      expect(await store.listFinishedBatchIdsBefore(new Date(Date.now() + 60_000))).toEqual([done.id]);
      expect(await store.listFinishedBatchIdsBefore(new Date(Date.now() - 60_000))).toEqual([]);
      expect(running.status).toBe('queued');
    });
  });
}
