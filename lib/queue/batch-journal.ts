import type { BatchStatus } from '@/lib/core';
import {
  StoreError,
  type BatchEvent,
  type BatchEventInput,
  type BatchStore,
  type BatchWithItems,
  type FinishItem,
  type ItemChange,
  type NewBatch,
  type StoredBatchStatus,
} from '@/lib/store';
import type { BatchEventBus } from './batch-event-bus';
import { createKeyedMutex } from './keyed-mutex';

const finishedStatuses: ReadonlySet<StoredBatchStatus> = new Set(['completed', 'partial', 'failed', 'canceled']);

/** True once every item of the batch has ended (the stored status is then how it ended). */
export function isFinishedStatus(status: StoredBatchStatus): status is BatchStatus {
  return finishedStatuses.has(status);
}

/**
 * Every change to a batch's items and every event logged for it goes through here, one at a time
 * per batch, and each logged event is published on the bus after it is committed. Serialising per
 * batch is what keeps the log honest without locks in the database:
 * - events are published in sequence order;
 * - a change that ends the batch is seen ending it by exactly one writer, which logs `batch-end`
 *   right after, before any other change to that batch can interleave.
 * One process owns a data directory's queue (the embedded default); this is its in-process lock.
 */
export interface BatchJournal {
  /** Creates a batch (all items queued) and logs its `batch-start`. */
  /** Creates the batch and logs its `batch-start` in the same transaction. */
  createBatch(batch: NewBatch, batchStart: BatchEventInput): Promise<BatchWithItems>;
  /** Logs an event that accompanies no item change (`item-start`, `item-retry`). */
  append(batchId: string, event: BatchEventInput): Promise<BatchEvent>;
  /** `queued` → `running`; undefined when the item was no longer queued (canceled meanwhile). */
  claimItem(batchId: string, index: number): Promise<ItemChange | undefined>;
  /** Records how a running item ended with its `item-end`, then `batch-end` if that ended the batch. */
  finishItem(change: FinishItem & { event: BatchEventInput }): Promise<ItemChange>;
  /** Cancels the queued items, logging an `item-end` (canceled) for each, then `batch-end` if that ended the batch. */
  cancelQueuedItems(batchId: string): Promise<number>;
  /** Requeues the failed and canceled items of an ended batch and logs `batch-start` for the new run. */
  requeueItems(batchId: string, batchStart: (batch: BatchWithItems) => BatchEventInput): Promise<number>;
  /**
   * Repairs a log that a crash cut between a batch's last item change and its `batch-end`: when
   * the batch has ended but its log does not end with `batch-end`, logs one. Resolves the log's
   * last event afterwards (undefined for an empty log).
   */
  ensureBatchEndLogged(batchId: string): Promise<BatchEvent | undefined>;
}

export interface BatchJournalOptions {
  store: BatchStore;
  bus: BatchEventBus;
}

const eventPageSize = 1_000;

export function createBatchJournal({ store, bus }: BatchJournalOptions): BatchJournal {
  const mutex = createKeyedMutex();

  const logged = (event: BatchEvent): BatchEvent => {
    bus.publish(event);
    return event;
  };
  const appendNow = async (batchId: string, event: BatchEventInput) => logged(await store.appendEvent(batchId, event));
  const logBatchEnd = (batchId: string, status: BatchStatus) => appendNow(batchId, { type: 'batch-end', status, etaMs: 0 });

  return {
    async createBatch(batch, batchStart) {
      const { firstEvent, ...created } = await store.createBatch(batch, batchStart);
      if (firstEvent) logged(firstEvent);
      return created;
    },

    append(batchId, event) {
      return mutex.run(batchId, () => appendNow(batchId, event));
    },

    claimItem(batchId, index) {
      return mutex.run(batchId, () => store.startItem({ batchId, index }));
    },

    finishItem(change) {
      return mutex.run(change.batchId, async () => {
        const result = await store.finishItem(change);
        if (result.event) bus.publish(result.event);
        // The item was running, so the batch was not finished before this change: this change ended it.
        if (isFinishedStatus(result.batch.status)) await logBatchEnd(change.batchId, result.batch.status);
        return result;
      });
    },

    cancelQueuedItems(batchId) {
      return mutex.run(batchId, async () => {
        const before = await requireBatch(store, batchId);
        const queuedIndexes = before.items.filter((item) => item.status === 'queued').map((item) => item.index);
        // Every item change of this batch goes through this lock, so exactly these items are canceled.
        const count = await store.cancelQueuedItems(batchId);
        if (count === 0) return 0;
        for (const index of queuedIndexes) {
          await appendNow(batchId, { type: 'item-end', index, status: 'canceled', error: 'Canceled', etaMs: null });
        }
        const after = await requireBatch(store, batchId);
        if (isFinishedStatus(after.status)) await logBatchEnd(batchId, after.status);
        return count;
      });
    },

    requeueItems(batchId, batchStart) {
      return mutex.run(batchId, async () => {
        // The new run's batch-start goes in with the requeue (one transaction); the batch's
        // provider and mode, which it names, do not change.
        const { count, runStart } = await store.requeueItems(batchId, ['failed', 'canceled'], batchStart(await requireBatch(store, batchId)));
        if (runStart) logged(runStart);
        return count;
      });
    },

    ensureBatchEndLogged(batchId) {
      return mutex.run(batchId, async () => {
        const batch = await requireBatch(store, batchId);
        const last = await readLastEvent(store, batchId);
        if (!isFinishedStatus(batch.status) || last?.type === 'batch-end') return last;
        return logBatchEnd(batchId, batch.status);
      });
    },
  };
}

async function requireBatch(store: BatchStore, batchId: string): Promise<BatchWithItems> {
  const batch = await store.getBatch(batchId);
  if (!batch) throw new StoreError('not_found', `No batch with id "${batchId}"`);
  return batch;
}

async function readLastEvent(store: BatchStore, batchId: string): Promise<BatchEvent | undefined> {
  let last: BatchEvent | undefined;
  for (;;) {
    const page = await store.listEvents(batchId, { afterSequence: last?.sequence ?? 0, limit: eventPageSize });
    if (page.length > 0) last = page.at(-1);
    if (page.length < eventPageSize) return last;
  }
}
