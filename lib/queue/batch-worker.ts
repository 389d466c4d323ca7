import type { ImageProvider, ModelPrice } from '@/lib/core';
import type { Lane } from '@/lib/engine';
import type { BatchStore, BlobStore } from '@/lib/store';
import type { QueueModel } from './batch-queue';
import { errorMessage, type ItemProcessor, type QueueLog } from './item-processor';
import type { CancelSignals, LaneSource, WorkSource } from './ports';

export type { QueueLog } from './item-processor';

export interface BatchWorkerOptions {
  /** For recovery: items whose worker is gone go back to the queue. */
  store: BatchStore;
  /** To find out when a full disk takes writes again. */
  blobs: BlobStore;
  /**
   * After the disk refused an image, how often to check whether it takes writes again; no new
   * item starts (no paid call is made) before it does.
   * @default 10000
   */
  storageRecheckMs?: number;
  source: WorkSource;
  processor: ItemProcessor;
  cancelSignals: CancelSignals;
  /** A batch's provider and model; throws when this server does not offer them. */
  resolveModel: (providerId: string, modelId: string) => QueueModel;
  /** The provider's shared lane (the classic routes and the batches use the same, so pacing holds across both). */
  laneFor: LaneSource;
  /**
   * Items this worker runs at once, over all its lanes (each lane's concurrency holds besides).
   * @default no limit of its own: up to each lane's concurrency
   */
  maxItemsInFlight?: number;
  /** Time between two looks at the queue when nothing woke the worker, in milliseconds. */
  safetyPollIntervalMs: number;
  /**
   * At start, requeue every running item, not only those whose lease expired: right when this is
   * the only worker on its database (the embedded default), so a restart resumes at once.
   */
  isSoleWorker: boolean;
  log: QueueLog;
}

/** Runnable items looked at per pass: one per batch, least recently served first. */
const candidatesPerPass = 100;

/**
 * The in-process work loop. It takes runnable items from the work source (round-robin across
 * batches; a retry when its time has come, before later items of its batch), keeps at most the
 * lane's concurrency of its own items in flight per lane, and hands each claimed item to the item
 * processor. It sleeps until woken (new work, a slot freed, a retry due) or the slow safety poll,
 * and now and then recovers the items of workers whose leases expired.
 */
export class BatchWorker {
  readonly #options: BatchWorkerOptions;
  readonly #activeByLane = new Map<Lane, number>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stopController = new AbortController();
  /** Lanes the worker listens to: an adaptive lane that grows lets it take more items at once. */
  readonly #watchedLanes = new Map<Lane, () => void>();
  #stopListeningForCancels: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  /** Set when the disk refused an image: nothing starts until a write succeeds again. */
  #isStorageFull = false;

  constructor(options: BatchWorkerOptions) {
    this.#options = options;
  }

  /** Requeues what a crash left running, then starts the loop. Call once. */
  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopListeningForCancels = this.#options.cancelSignals.onCancel((batchId) => this.#options.processor.abortBatch(batchId));
    await this.#recover(!this.#options.isSoleWorker);
    this.#loop = this.#runLoop();
  }

  /** The disk refused an image: hold new items until it takes writes again. */
  pauseForStorage(): void {
    if (!this.#isStorageFull) this.#options.log('queue-storage-full', { recheckMs: this.#options.storageRecheckMs ?? 10_000 });
    this.#isStorageFull = true;
  }

  /** True once the disk takes a write again (checked only while paused for it). */
  async #hasStorage(): Promise<boolean> {
    if (!this.#isStorageFull) return true;
    try {
      await this.#options.blobs.checkWritable();
      this.#isStorageFull = false;
      this.#options.log('queue-storage-back', {});
      return true;
    } catch {
      return false;
    }
  }

  /** Stops taking items and interrupts the calls in flight; their items stay `running`, for recovery. */
  async stop(): Promise<void> {
    this.#stopController.abort(new DOMException('The worker is stopping', 'AbortError'));
    this.#options.source.announce();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
    this.#stopListeningForCancels?.();
    for (const unsubscribe of this.#watchedLanes.values()) unsubscribe();
    this.#watchedLanes.clear();
  }

  get #isStopping(): boolean {
    return this.#stopController.signal.aborted;
  }

  /** Items whose worker is gone go back to the queue (all running ones, for the sole worker at start). */
  async #recover(onlyExpiredLeases: boolean): Promise<void> {
    const requeued = await this.#options.store.requeueInterruptedItems({ onlyExpiredLeases });
    if (requeued > 0) this.#options.log('queue-recovered', { requeuedItems: requeued });
  }

  async #runLoop(): Promise<void> {
    const { source, safetyPollIntervalMs, log } = this.#options;
    let lastRecoveryMs = Date.now();
    while (!this.#isStopping) {
      let isDispatched = false;
      let waitMs = safetyPollIntervalMs;
      try {
        if (!(await this.#hasStorage())) {
          await source.waitForWork(this.#options.storageRecheckMs ?? 10_000);
          continue;
        }
        isDispatched = await this.#dispatchNext();
        if (!isDispatched) {
          if (Date.now() - lastRecoveryMs >= safetyPollIntervalMs) {
            lastRecoveryMs = Date.now();
            await this.#recover(true);
          }
          // Sleep no longer than until the next retry is due.
          const dueAtMs = await source.nextDueAtMs();
          if (dueAtMs !== undefined) waitMs = Math.max(0, Math.min(waitMs, dueAtMs - Date.now()));
        }
      } catch (error) {
        log('queue-error', { message: errorMessage(error) });
      }
      if (!isDispatched && !this.#isStopping) await source.waitForWork(waitMs);
    }
  }

  /** Claims and launches one item; false when nothing can start now. */
  async #dispatchNext(): Promise<boolean> {
    const { source, processor, resolveModel, laneFor, maxItemsInFlight = Infinity } = this.#options;
    // Full: the next item's end wakes the loop.
    if (this.#inFlight.size >= maxItemsInFlight) return false;
    for (const { batch, item } of await source.candidates(candidatesPerPass)) {
      if (this.#isStopping) return false;
      let provider: ImageProvider;
      let price: ModelPrice | undefined;
      try {
        ({ provider, model: { price } } = resolveModel(batch.providerId, batch.modelId));
      } catch (error) {
        await processor.failUnrunnable(batch, item, error);
        return true;
      }
      const lane = laneFor(provider);
      this.#watch(lane);
      if ((this.#activeByLane.get(lane) ?? 0) >= lane.concurrency) continue;
      const claimed = await processor.claim(batch, item, price);
      if (!claimed) continue;
      this.#launch(() => processor.process(claimed, provider, lane, this.#stopController.signal), lane);
      return true;
    }
    return false;
  }

  #watch(lane: Lane): void {
    if (this.#watchedLanes.has(lane) || this.#isStopping) return;
    this.#watchedLanes.set(lane, lane.onConcurrencyRaised(() => this.#options.source.announce()));
  }

  #launch(work: () => Promise<void>, lane: Lane): void {
    this.#activeByLane.set(lane, (this.#activeByLane.get(lane) ?? 0) + 1);
    const task = work().finally(() => {
      this.#activeByLane.set(lane, (this.#activeByLane.get(lane) ?? 1) - 1);
      this.#inFlight.delete(task);
      this.#options.source.announce();
    });
    this.#inFlight.add(task);
  }
}
