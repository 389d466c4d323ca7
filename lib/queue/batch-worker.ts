import { randomUUID } from 'node:crypto';
import { estimateRemainingMs, imageCostUsd, type GeneratedImage, type ImageProvider, type InputImage, type ItemError, type ModelPrice } from '@/lib/core';
import { createCostBudget, runAttempt, type AttemptResult, type CostBudget, type Lane, type RetryPolicy } from '@/lib/engine';
import {
  inputImagesOf,
  toImageTextMetadata,
  type BatchRecord,
  type BatchStore,
  type BlobStore,
  type ItemRecord,
  type ItemResult,
} from '@/lib/store';
import type { QueueModel } from './batch-queue';
import { isFinishedStatus, type BatchJournal } from './batch-journal';
import { internalError, toItemEnding } from './item-outcome';
import { readInputImage } from './read-input-image';
import { createWakeup } from './wakeup';

export type QueueLog = (event: string, fields: Record<string, string | number | boolean | undefined>) => void;

export interface BatchWorkerOptions {
  store: BatchStore;
  blobs: BlobStore;
  journal: BatchJournal;
  /** A batch's provider and model; throws when this server does not offer them. */
  resolveModel: (providerId: string, modelId: string) => QueueModel;
  /** The provider's shared lane (the same one the classic routes use, so pacing holds across both). */
  laneFor: (provider: ImageProvider) => Lane;
  retryPolicy: RetryPolicy;
  /** Time between two looks at the queue when nothing woke the worker, in milliseconds. */
  safetyPollIntervalMs: number;
  /**
   * How long a claimed item stays this worker's without renewal, in milliseconds: renewed every
   * third of it while the call runs; once expired (the worker died), any worker requeues the item.
   */
  leaseMs: number;
  /**
   * At start, requeue every running item, not only those whose lease expired: right when this is
   * the only worker on its database (the embedded default), so a restart resumes at once.
   */
  isSoleWorker: boolean;
  log: QueueLog;
  random?: () => number;
}

/** What the worker keeps about a batch it is serving: cancel switch, ETA basis, input image. */
interface BatchRun {
  controller: AbortController;
  startedAtMs: number;
  endedInRun: number;
  /** Items not yet ended (queued or running), as of the last change the worker saw. */
  unended: number;
  active: number;
  inputImages?: Promise<InputImage[]>;
  /** The batch's spending cap, when it has one (`maxCostUsd`). */
  budget?: CostBudget;
  /** The model's price, to record what each image cost. */
  price?: ModelPrice;
}

/** Runnable items looked at per pass: one per batch, least recently served first. */
const candidatesPerPass = 100;

/**
 * The item processor and the in-process work loop. It takes queued items round-robin across
 * batches (a retried item when its time has come, before later items of its batch), keeps at most
 * the lane's concurrency of its own items in flight per lane, makes one attempt per claim (lane
 * pacing, Retry-After pauses), stores the image durably, then records the item; a retryable
 * failure goes back to the queue with a not-before time and frees its slot at once. It sleeps
 * until woken (new work, a slot freed, a retry due) or the slow safety poll.
 */
export class BatchWorker {
  readonly #options: BatchWorkerOptions;
  /** This worker's name on the leases it holds. */
  readonly #workerId = randomUUID();
  readonly #runs = new Map<string, BatchRun>();
  readonly #activeByLane = new Map<Lane, number>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stopController = new AbortController();
  readonly #wakeup = createWakeup();
  /** Lanes the worker listens to: an adaptive lane that grows lets it take more items at once. */
  readonly #watchedLanes = new Map<Lane, () => void>();
  #loop: Promise<void> | undefined;

  constructor(options: BatchWorkerOptions) {
    this.#options = options;
  }

  /** Requeues what a crash left running, then starts the loop. Call once. */
  async start(): Promise<void> {
    if (this.#loop) return;
    await this.#recover(!this.#options.isSoleWorker);
    this.#loop = this.#runLoop();
  }

  /** Items whose worker is gone go back to the queue (all running ones, for the sole worker at start). */
  async #recover(onlyExpiredLeases: boolean): Promise<void> {
    const requeued = await this.#options.store.requeueInterruptedItems({ onlyExpiredLeases });
    if (requeued > 0) this.#options.log('queue-recovered', { requeuedItems: requeued });
  }

  /** Stops taking items and interrupts the calls in flight; their items stay `running`, requeued at the next start. */
  async stop(): Promise<void> {
    this.#stopController.abort(new DOMException('The worker is stopping', 'AbortError'));
    this.#wakeup.notify();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
    for (const unsubscribe of this.#watchedLanes.values()) unsubscribe();
    this.#watchedLanes.clear();
  }

  /** New work may be runnable. */
  notify(): void {
    this.#wakeup.notify();
  }

  /** Aborts the batch's calls in flight; they end `canceled` (images already made are kept). */
  abortBatch(batchId: string): void {
    const run = this.#runs.get(batchId);
    if (!run) return;
    this.#runs.delete(batchId);
    run.controller.abort(new DOMException('The batch was canceled', 'AbortError'));
  }

  get #isStopping(): boolean {
    return this.#stopController.signal.aborted;
  }

  async #runLoop(): Promise<void> {
    let lastRecoveryMs = Date.now();
    while (!this.#isStopping) {
      let isDispatched = false;
      let waitMs = this.#options.safetyPollIntervalMs;
      try {
        isDispatched = await this.#dispatchNext();
        if (!isDispatched) {
          if (Date.now() - lastRecoveryMs >= this.#options.safetyPollIntervalMs) {
            lastRecoveryMs = Date.now();
            await this.#recover(true);
          }
          // Sleep no longer than until the next retry is due.
          const nextRetryAtMs = await this.#options.store.nextRetryAtMs();
          if (nextRetryAtMs !== undefined) waitMs = Math.max(0, Math.min(waitMs, nextRetryAtMs - Date.now()));
        }
      } catch (error) {
        this.#options.log('queue-error', { message: errorMessage(error) });
      }
      if (!isDispatched && !this.#isStopping) await this.#wakeup.wait(waitMs);
    }
  }

  /** Claims and launches one item; false when nothing can start now. */
  async #dispatchNext(): Promise<boolean> {
    const { store, journal, resolveModel, laneFor } = this.#options;
    for (const { batch, item } of await store.listRunnableItems({ limit: candidatesPerPass })) {
      if (this.#isStopping) return false;
      let provider: ImageProvider;
      let price: ModelPrice | undefined;
      try {
        ({ provider, model: { price } } = resolveModel(batch.providerId, batch.modelId));
      } catch (error) {
        await this.#failUnrunnable(batch, item, error);
        return true;
      }
      const lane = laneFor(provider);
      this.#watch(lane);
      if ((this.#activeByLane.get(lane) ?? 0) >= lane.concurrency) continue;
      // Before the claim, so a cancel that lands in between aborts this item too.
      const run = this.#runFor(batch, price);
      const change = await journal.claimItem(batch.id, item.index, this.#newLease());
      if (!change) {
        if (run.active === 0 && this.#runs.get(batch.id) === run) this.#runs.delete(batch.id);
        continue;
      }
      run.unended = unendedOf(change.batch);
      this.#launch(run, change.batch, change.item, provider, lane);
      return true;
    }
    return false;
  }

  #watch(lane: Lane): void {
    if (this.#watchedLanes.has(lane) || this.#isStopping) return;
    this.#watchedLanes.set(lane, lane.onConcurrencyRaised(() => this.#wakeup.notify()));
  }

  #runFor(batch: BatchRecord, price: ModelPrice | undefined): BatchRun {
    let run = this.#runs.get(batch.id);
    if (!run) {
      run = { controller: new AbortController(), startedAtMs: Date.now(), endedInRun: 0, unended: unendedOf(batch), active: 0, price };
      const { maxCostUsd, estimatedImageCostUsd = 0 } = batch.params;
      if (maxCostUsd !== undefined) {
        run.budget = createCostBudget({
          limitUsd: maxCostUsd,
          estimateUsd: estimatedImageCostUsd,
          spentUsd: batch.costUsd,
          costOf: (image) => costOfImage(batch, price, image),
        });
      }
      this.#runs.set(batch.id, run);
    }
    return run;
  }

  #launch(run: BatchRun, batch: BatchRecord, item: ItemRecord, provider: ImageProvider, lane: Lane): void {
    run.active += 1;
    this.#activeByLane.set(lane, (this.#activeByLane.get(lane) ?? 0) + 1);
    const task = this.#runClaimedItem(run, batch, item, provider, lane).finally(() => {
      run.active -= 1;
      if (run.active === 0) run.inputImages = undefined;
      this.#activeByLane.set(lane, (this.#activeByLane.get(lane) ?? 1) - 1);
      this.#inFlight.delete(task);
      this.#wakeup.notify();
    });
    this.#inFlight.add(task);
  }

  #newLease() {
    return { owner: this.#workerId, expiresAtMs: Date.now() + this.#options.leaseMs };
  }

  /** One attempt at a claimed item, under a lease renewed while the call runs. */
  async #runClaimedItem(run: BatchRun, batch: BatchRecord, item: ItemRecord, provider: ImageProvider, lane: Lane): Promise<void> {
    const { log, retryPolicy, random, store } = this.#options;
    const { aspectRatio, size, quality, outputFormat, background } = batch.params;
    const renewal = setInterval(() => {
      store.renewLease({ batchId: batch.id, index: item.index, ...this.#newLease() }).catch((error: unknown) => {
        log('queue-lease-error', { batchId: batch.id, index: item.index, message: errorMessage(error) });
      });
    }, Math.max(1, Math.floor(this.#options.leaseMs / 3)));
    renewal.unref?.();
    try {
      const inputImages = await this.#inputImagesFor(run, batch);
      const result = await runAttempt({
        request: {
          prompt: item.prompt,
          index: item.index,
          ...withoutUndefined({ aspectRatio, size, quality, outputFormat, background }),
          ...(inputImages.length > 0 ? { inputImages } : {}),
        },
        provider,
        lane,
        policy: retryPolicy,
        previousAttempts: item.runAttempts,
        ...(run.budget ? { budget: run.budget } : {}),
        signal: AbortSignal.any([run.controller.signal, this.#stopController.signal]),
        random,
        onStart: (attempt) => this.#logStart(run, batch.id, item.index, attempt),
      });
      // Interrupted by a stop, not a cancel: leave it running; the next start requeues it.
      if (result.status === 'canceled' && !run.controller.signal.aborted) return;
      if (result.status === 'retry') await this.#retryLater(run, batch, item, result);
      else await this.#finish(run, batch, item, provider, result);
    } catch (error) {
      log('queue-item-error', { batchId: batch.id, index: item.index, message: errorMessage(error) });
      await this.#finish(run, batch, item, provider, {
        status: 'failed',
        error: internalError('The image could not be generated', error),
        attempted: false,
      }).catch((finishError: unknown) => {
        log('queue-item-error', { batchId: batch.id, index: item.index, message: String(finishError) });
      });
    } finally {
      clearInterval(renewal);
    }
  }

  /** Back to the queue until its retry is due; the slot was given back already. */
  async #retryLater(run: BatchRun, batch: BatchRecord, item: ItemRecord, result: Extract<AttemptResult, { status: 'retry' }>): Promise<void> {
    const notBeforeMs = Date.now() + result.delayMs;
    await this.#options.journal.retryItemLater({
      batchId: batch.id,
      index: item.index,
      attemptsInRun: 1,
      notBeforeMs,
      event: {
        type: 'item-retry',
        index: item.index,
        attempt: item.runAttempts + 1,
        delayMs: result.delayMs,
        kind: result.error.kind,
        error: result.error.message,
        etaMs: estimateRunRemainingMs(run, run.unended),
      },
    });
    const wake = setTimeout(() => this.#wakeup.notify(), result.delayMs);
    wake.unref?.();
  }

  /** Stores the image (durably) before recording the item, so its success is never logged without its bytes. */
  async #finish(
    run: BatchRun,
    batch: BatchRecord,
    item: ItemRecord,
    provider: ImageProvider,
    outcome: Exclude<AttemptResult, { status: 'retry' }>,
  ): Promise<void> {
    const result: ItemResult =
      outcome.status === 'succeeded'
        ? await this.#storeImage(batch, item, provider, outcome.image, run.price)
        : outcome.status === 'failed'
          ? { status: 'failed', error: outcome.error }
          : { status: 'canceled' };
    run.endedInRun += 1;
    const ending = toItemEnding(item.index, result, estimateRunRemainingMs(run, run.unended - 1));
    const change = await this.#options.journal.finishItem({
      batchId: batch.id,
      index: item.index,
      attemptsInRun: outcome.attempted ? 1 : 0,
      ...ending,
    });
    run.unended = unendedOf(change.batch);
    if (isFinishedStatus(change.batch.status) && this.#runs.get(batch.id) === run) this.#runs.delete(batch.id);
  }

  async #storeImage(batch: BatchRecord, item: ItemRecord, provider: ImageProvider, image: GeneratedImage, price?: ModelPrice): Promise<ItemResult> {
    const metadata = toImageTextMetadata({
      prompt: item.prompt,
      providerId: provider.id,
      modelId: provider.modelId,
      mode: batch.mode,
      aspectRatio: batch.params.aspectRatio,
      batchId: batch.id,
      index: item.index,
    });
    try {
      const stored = await this.#options.blobs.put(image.bytes, image.mimeType, metadata);
      const costUsd = costOfImage(batch, price, image);
      return {
        status: 'succeeded',
        image: stored,
        ...(image.usage ? { usage: image.usage } : {}),
        ...(costUsd === undefined ? {} : { costUsd }),
      };
    } catch (error) {
      this.#options.log('image-store-error', { batchId: batch.id, index: item.index, message: errorMessage(error) });
      return { status: 'failed', error: internalError('The image could not be saved', error) };
    }
  }

  /** `item-start` when the call starts; best effort (the item's end is what counts). */
  #logStart(run: BatchRun, batchId: string, index: number, attempt: number): void {
    const event = { type: 'item-start' as const, index, attempt, etaMs: estimateRunRemainingMs(run, run.unended) };
    this.#options.journal.append(batchId, event).catch((error: unknown) => {
      this.#options.log('queue-event-error', { batchId, type: event.type, message: errorMessage(error) });
    });
  }

  #inputImagesFor(run: BatchRun, batch: BatchRecord): Promise<InputImage[]> {
    const refs = inputImagesOf(batch.params);
    if (refs.length === 0) return Promise.resolve([]);
    run.inputImages ??= Promise.all(refs.map((ref) => readInputImage(this.#options.blobs, ref)));
    return run.inputImages;
  }

  /** An item whose provider this server does not have: it fails with the reason, the rest go on. */
  async #failUnrunnable(batch: BatchRecord, item: ItemRecord, reason: unknown): Promise<void> {
    const change = await this.#options.journal.claimItem(batch.id, item.index);
    if (!change) return;
    const error = internalError(`Provider "${batch.providerId}" is not available on this server`, reason);
    const ending = toItemEnding(item.index, { status: 'failed', error }, null);
    await this.#options.journal.finishItem({ batchId: batch.id, index: item.index, attemptsInRun: 0, ...ending });
  }
}

/** What one image cost: the provider's reported usage at the model's price, else its list price. */
function costOfImage(batch: BatchRecord, price: ModelPrice | undefined, image: GeneratedImage): number | undefined {
  if (batch.isDemo) return 0;
  return imageCostUsd(price, image.usage, batch.params.quality, batch.params.size);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

function unendedOf(batch: BatchRecord): number {
  return batch.total - batch.succeeded - batch.failed - batch.canceled;
}

/** Average time per item ended in this run, times the items left; null until one has ended. */
function estimateRunRemainingMs(run: BatchRun, remaining: number): number | null {
  return estimateRemainingMs(run.startedAtMs, run.endedInRun, remaining);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
