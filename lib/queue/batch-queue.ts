import type { ImageProvider, ModelPrice } from '@/lib/core';
import { resolveRetryPolicy, type RetryPolicy } from '@/lib/engine';
import type { BatchEventInput, BatchRecord, BatchStore, BatchWithItems, BlobStore, NewBatch } from '@/lib/store';
import { createBatchEventBus, type BatchEventListener, type ItemProgressListener } from './batch-event-bus';
import { createBatchJournal } from './batch-journal';
import { BatchWorker } from './batch-worker';
import { createInProcessCancelSignals } from './in-process/cancel-signals';
import { createStoreWorkSource } from './in-process/store-work-source';
import { ItemProcessor, type QueueLog } from './item-processor';
import type { BatchEventBus, CancelSignals, LaneSource, WorkSource } from './ports';

export interface BatchQueueOptions {
  store: BatchStore;
  blobs: BlobStore;
  /** A batch's provider and model; throws when this server does not offer them. */
  resolveModel: (providerId: string, modelId: string) => QueueModel;
  /** One lane per provider and model, shared with every other caller of it. */
  laneFor: LaneSource;
  /**
   * After the disk refused an image, how often to check whether it takes writes again.
   * @default 10000
   */
  storageRecheckMs?: number;
  /** The work source port. @default the store, polled in this process */
  source?: WorkSource;
  /** The event bus port. @default in-process fan-out */
  bus?: BatchEventBus;
  /** The cancel signals port. @default in-process */
  cancelSignals?: CancelSignals;
  /**
   * Overrides of the retry policy.
   * @default defaultRetryPolicy (3 attempts, 1000 ms base delay, 60000 ms cap)
   */
  retryPolicy?: Partial<RetryPolicy>;
  /**
   * How often the worker looks at the queue when nothing woke it, in milliseconds. Enqueueing,
   * retrying and finishing an item wake it at once; this only catches what they could not signal.
   * @default 5000
   */
  safetyPollIntervalMs?: number;
  /**
   * Items the worker runs at once, over all lanes: with several worker processes sharing a lane,
   * each takes at most this many of its slots (and claims no more items than it can run).
   * @default no limit of its own: up to each lane's concurrency
   */
  maxItemsInFlight?: number;
  /**
   * How long a claimed item stays a worker's without renewal (see the worker), in milliseconds.
   * @default 60000
   */
  leaseMs?: number;
  /**
   * This process's worker is the only one on its database (the embedded default): at start it
   * requeues every item left running, not only those whose lease expired.
   * @default true
   */
  isSoleWorker?: boolean;
  /**
   * Structured log lines (ids, counts, kinds; never prompts' images or keys).
   * @default no logging
   */
  log?: QueueLog;
  /**
   * Source of retry jitter in [0, 1); injectable for tests.
   * @default Math.random
   */
  random?: () => number;
}

/**
 * The durable work queue (in-process, on the embedded store): batches go in as queued items, one
 * worker loop in this process runs them, every change is logged as a progress event and published
 * to live listeners. Survives a restart: `start` requeues what a crash left running.
 */
export interface BatchQueue {
  /** Recovers interrupted items and starts the worker loop. Idempotent. */
  start(): Promise<void>;
  /** Stops the worker (calls in flight are interrupted and their items requeued at the next start). */
  stop(): Promise<void>;
  /** Creates the batch (every item queued), logs `batch-start` and wakes the worker. */
  enqueue(batch: NewBatch): Promise<BatchWithItems>;
  /**
   * Cancels a batch: queued items become `canceled` at once, calls in flight are aborted, nothing
   * more is sent to the provider. Images already made are kept. Resolves how many queued items
   * were canceled (0 for a batch that had ended: cancel is idempotent).
   */
  cancel(batchId: string): Promise<number>;
  /**
   * Requeues the failed and canceled items of an ended batch (a `conflict` StoreError while it is
   * queued or running) and logs `batch-start` for the new run. Resolves how many were requeued.
   */
  retry(batchId: string): Promise<number>;
  /**
   * Deletes a finished batch: its rows, its events and its image files. Rejects `conflict` while it
   * is queued or running (cancel it first), `not_found` when unknown.
   */
  delete(batchId: string): Promise<void>;
  /** Deletes the finished batches last changed before `before`; resolves how many. */
  deleteFinishedBefore(before: Date): Promise<number>;
  /** Live events of a batch, from now on (read the backlog from the store after subscribing). */
  subscribe(batchId: string, listener: BatchEventListener): () => void;
  /** Live step progress of the batch's running items (never logged: only what happens from now on). */
  subscribeProgress(batchId: string, listener: ItemProgressListener): () => void;
  /** Called once when the queue stops (timers tied to it stop too). */
  onStop(listener: () => void): void;
}

/** What the queue needs of a model: its adapter, and its price to count what images cost. */
export interface QueueModel {
  provider: ImageProvider;
  model: { price?: ModelPrice };
}

export function createBatchQueue(options: BatchQueueOptions): BatchQueue {
  const { store, blobs, resolveModel, laneFor, safetyPollIntervalMs = 5_000, leaseMs = 60_000, isSoleWorker = true, log = () => {}, random } =
    options;
  // The in-process implementations of the ports (see ports.ts), chosen here.
  const bus = options.bus ?? createBatchEventBus();
  const source = options.source ?? createStoreWorkSource(store);
  const cancelSignals = options.cancelSignals ?? createInProcessCancelSignals();
  const journal = createBatchJournal({ store, bus, log });
  const processor = new ItemProcessor({
    store,
    blobs,
    journal,
    retryPolicy: resolveRetryPolicy(options.retryPolicy),
    leaseMs,
    log,
    random,
    onRetryScheduled: (dueAtMs) => {
      const wake = setTimeout(() => source.announce(), Math.max(0, dueAtMs - Date.now()));
      wake.unref?.();
    },
    onStorageFull: () => worker.pauseForStorage(),
  });
  const worker: BatchWorker = new BatchWorker({
    store,
    blobs,
    source,
    processor,
    cancelSignals,
    resolveModel,
    laneFor,
    safetyPollIntervalMs,
    isSoleWorker,
    log,
    ...(options.maxItemsInFlight === undefined ? {} : { maxItemsInFlight: options.maxItemsInFlight }),
    ...(options.storageRecheckMs === undefined ? {} : { storageRecheckMs: options.storageRecheckMs }),
  });
  let starting: Promise<void> | undefined;
  const stopListeners: (() => void)[] = [];

  const deleteBatch = async (batchId: string): Promise<void> => {
    const { imageIds } = await store.deleteBatch(batchId);
    // The rows go first: a file left behind by a crash here is an orphan, never a broken batch.
    for (const imageId of imageIds) await blobs.delete(imageId).catch(() => undefined);
    log('batch-deleted', { batchId, images: imageIds.length });
  };

  const batchStartOf = (batch: Pick<BatchRecord, 'providerId' | 'modelId' | 'mode'> & { isDemo?: boolean }): BatchEventInput => ({
    type: 'batch-start',
    provider: batch.providerId,
    model: batch.modelId,
    isDemo: batch.isDemo ?? false,
    mode: batch.mode,
    etaMs: null,
  });

  return {
    start() {
      starting ??= worker.start();
      return starting;
    },

    async stop() {
      await worker.stop();
      for (const listener of stopListeners.splice(0)) listener();
    },

    onStop: (listener) => void stopListeners.push(listener),

    async enqueue(batch) {
      // Refuses an unknown provider or model before anything is written.
      resolveModel(batch.providerId, batch.modelId);
      const created = await journal.createBatch(batch, batchStartOf(batch));
      log('batch-queued', { batchId: created.id, provider: created.providerId, total: created.total, mode: created.mode });
      source.announce();
      return created;
    },

    async cancel(batchId) {
      // Queued items first, so nothing new can be claimed; then the calls already in flight.
      const count = await journal.cancelQueuedItems(batchId);
      cancelSignals.cancel(batchId);
      log('batch-cancel', { batchId, canceledItems: count });
      return count;
    },

    async retry(batchId) {
      const count = await journal.requeueItems(batchId, batchStartOf);
      log('batch-retry', { batchId, requeuedItems: count });
      if (count > 0) source.announce();
      return count;
    },

    delete: deleteBatch,

    async deleteFinishedBefore(before) {
      let deleted = 0;
      for (;;) {
        const batchIds = await store.listFinishedBatchIdsBefore(before, 100);
        for (const batchId of batchIds) {
          // A batch retried meanwhile is running again: a conflict, skipped.
          if (await deleteBatch(batchId).then(() => true, () => false)) deleted += 1;
        }
        if (batchIds.length < 100) return deleted;
      }
    },

    subscribe: (batchId, listener) => bus.subscribe(batchId, listener),
    subscribeProgress: (batchId, listener) => bus.subscribeProgress(batchId, listener),
  };
}
