import type {
  BatchEvent,
  BatchRecord,
  BatchEventInput,
  BatchStore,
  BatchWithItems,
  FinishItem,
  ItemChange,
  ItemLease,
  NewBatch,
  RetryItemLater,
} from '@/lib/store';
import type { ItemProgressEvent } from '@/lib/core';
import { StoreError } from '@/lib/store';
import type { BatchEventBus } from './batch-event-bus';
import type { QueueLog } from './item-processor';

/** True once every item of the batch has ended (lib/core's one definition, under the queue's name). */
export { isFinishedBatchStatus as isFinishedStatus } from '@/lib/core';

/**
 * Every change to a batch's items goes through the store, which logs the change's events in the
 * change's own transaction (the `batch-end` too, by the one change that ends the batch); the
 * journal then publishes what was logged on the event bus, in order. No lock of ours is needed:
 * the database's transactions keep the log honest, whichever process writes.
 */
export interface BatchJournal {
  /** Creates the batch and logs its `batch-start` in the same transaction. */
  createBatch(batch: NewBatch, batchStart: BatchEventInput): Promise<BatchWithItems>;
  /** Logs an event that accompanies no item change. */
  append(batchId: string, event: BatchEventInput): Promise<BatchEvent>;
  /** `queued` → `running` under `lease`, logging `event`; undefined when the item was not claimable. */
  claimItem(batchId: string, index: number, lease?: ItemLease, event?: BatchEventInput): Promise<ItemChange | undefined>;
  /** A failed attempt goes back to the queue until `notBeforeMs`, with its `item-retry`. */
  retryItemLater(change: RetryItemLater): Promise<ItemChange>;
  /** Records how a running item ended with its `item-end`, and the `batch-end` if that ended the batch. */
  finishItem(change: FinishItem & { event: BatchEventInput }): Promise<ItemChange>;
  /** Cancels the queued items (an `item-end` each, then `batch-end` if that ended the batch). Resolves how many. */
  cancelQueuedItems(batchId: string): Promise<number>;
  /** Requeues the failed and canceled items of an ended batch and logs `batch-start` for the new run. */
  requeueItems(batchId: string, batchStart: (batch: BatchWithItems) => BatchEventInput): Promise<number>;
  /** Step progress of a running item: published live, never logged. */
  publishProgress(progress: ItemProgressEvent): void;
}

export interface BatchJournalOptions {
  store: BatchStore;
  bus: BatchEventBus;
  /** Gets one `batch-end` line per ended run, with succeeded, failed and canceled counted apart. */
  log?: QueueLog;
}

export function createBatchJournal({ store, bus, log = () => {} }: BatchJournalOptions): BatchJournal {
  const publish = (...events: (BatchEvent | undefined)[]) => {
    for (const event of events) if (event) bus.publish(event);
  };
  // From the batch record, not the event's counters: an event counts canceled images nowhere, and
  // an operator reading the log must not take a canceled image for a failed one.
  const logBatchEnd = (batch: BatchRecord) =>
    log('batch-end', {
      batchId: batch.id,
      status: batch.status,
      total: batch.total,
      succeeded: batch.succeeded,
      failed: batch.failed,
      canceled: batch.canceled,
    });
  const published = (change: ItemChange): ItemChange => {
    publish(change.event, change.batchEnd);
    if (change.batchEnd) logBatchEnd(change.batch);
    return change;
  };

  return {
    async createBatch(batch, batchStart) {
      const { firstEvent, ...created } = await store.createBatch(batch, batchStart);
      publish(firstEvent);
      return created;
    },

    async append(batchId, event) {
      const logged = await store.appendEvent(batchId, event);
      publish(logged);
      return logged;
    },

    async claimItem(batchId, index, lease, event) {
      const change = await store.startItem({ batchId, index, ...(lease ? { lease } : {}), ...(event ? { event } : {}) });
      return change ? published(change) : undefined;
    },

    async retryItemLater(change) {
      return published(await store.retryItemLater(change));
    },

    async finishItem(change) {
      return published(await store.finishItem(change));
    },

    async cancelQueuedItems(batchId) {
      const { count, events } = await store.cancelQueuedItems(batchId);
      publish(...events);
      if (events.some((event) => event.type === 'batch-end')) {
        const batch = await store.getBatch(batchId);
        if (batch) logBatchEnd(batch);
      }
      return count;
    },

    async requeueItems(batchId, batchStart) {
      const batch = await store.getBatch(batchId);
      if (!batch) throw new StoreError('not_found', `No batch with id "${batchId}"`);
      // The new run's batch-start goes in with the requeue (one transaction); the batch's provider
      // and mode, which it names, do not change.
      const { count, runStart } = await store.requeueItems(batchId, ['failed', 'canceled'], batchStart(batch));
      publish(runStart);
      return count;
    },

    publishProgress: (progress) => bus.publishProgress(progress),
  };
}
