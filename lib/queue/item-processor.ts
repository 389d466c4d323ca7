import { randomUUID } from 'node:crypto';
import { estimateRemainingMs, imageCostUsd, seedForImage, withoutUndefined, type GeneratedImage, type ImageProvider, type InputImage, type ModelPrice } from '@/lib/core';
import { createCostBudget, runAttempt, type AttemptResult, type CostBudget, type Lane, type RetryPolicy } from '@/lib/engine';
import {
  inputImagesOf,
  isStorageFullError,
  toImageTextMetadata,
  type BatchRecord,
  type BatchStore,
  type BlobStore,
  type ItemRecord,
  type ItemResult,
} from '@/lib/store';
import { isFinishedStatus, type BatchJournal } from './batch-journal';
import { internalError, toItemEnding } from './item-outcome';
import { createItemProgressReporter } from './item-progress-reporter';
import { readInputImage } from './read-input-image';

export type QueueLog = (event: string, fields: Record<string, string | number | boolean | undefined>) => void;

export interface ItemProcessorOptions {
  store: BatchStore;
  blobs: BlobStore;
  journal: BatchJournal;
  retryPolicy: RetryPolicy;
  /** How long a claim stays this processor's without renewal, in milliseconds (renewed every third of it). */
  leaseMs: number;
  log: QueueLog;
  random?: () => number;
  /** Told when a retry has gone back to the queue and when it will be due. */
  onRetryScheduled?: (dueAtMs: number) => void;
  /** Told when the blob store refused an image for lack of space: new calls should wait. */
  onStorageFull?: () => void;
}

/** What the processor keeps about a batch it is serving: cancel switch, ETA basis, input images, budget. */
interface BatchRun {
  controller: AbortController;
  startedAtMs: number;
  endedInRun: number;
  /** Items not yet ended (queued or running), as of the last change seen. */
  unended: number;
  active: number;
  inputImages?: Promise<InputImage[]>;
  /** The batch's spending cap, when it has one (`maxCostUsd`). */
  budget?: CostBudget;
  /** The model's price, to record what each image cost. */
  price?: ModelPrice;
}

/** An item this processor claimed (under its lease) and the batch it belongs to. */
export interface ClaimedItem {
  batch: BatchRecord;
  item: ItemRecord;
}

/**
 * The item processor: claim → one attempt through the lane → store the image → finish the item
 * (or put it back in the queue for its retry). It does not choose what to run: any work source
 * hands it items (the in-process loop today). One instance per worker.
 */
export class ItemProcessor {
  readonly #options: ItemProcessorOptions;
  /** This worker's name on the leases it holds. */
  readonly #owner = randomUUID();
  readonly #runs = new Map<string, BatchRun>();

  constructor(options: ItemProcessorOptions) {
    this.#options = options;
  }

  /** Claims a queued item under this processor's lease; undefined when it was not claimable. */
  async claim(batch: BatchRecord, item: ItemRecord, price: ModelPrice | undefined): Promise<ClaimedItem | undefined> {
    // Before the claim, so a cancel that lands in between aborts this item too.
    const run = this.#runFor(batch, price);
    const change = await this.#options.journal.claimItem(batch.id, item.index, this.#newLease());
    if (!change) {
      if (run.active === 0 && this.#runs.get(batch.id) === run) this.#runs.delete(batch.id);
      return undefined;
    }
    run.unended = unendedOf(change.batch);
    return { batch: change.batch, item: change.item };
  }

  /**
   * One attempt at a claimed item, under a lease renewed while the call runs. Resolves once the item
   * has ended or gone back to the queue; when `stopSignal` aborts (the worker stops) it leaves the
   * item running, for recovery.
   */
  async process({ batch, item }: ClaimedItem, provider: ImageProvider, lane: Lane, stopSignal: AbortSignal): Promise<void> {
    const { log, retryPolicy, random, store } = this.#options;
    const run = this.#runs.get(batch.id) ?? this.#runFor(batch, undefined);
    run.active += 1;
    const { aspectRatio, size, quality, outputFormat, background, negativePrompt, steps, cfgScale, sampler, denoisingStrength } = batch.params;
    // Each image its own seed, from the batch's: image N can be made again alone with seed + N - 1.
    const seed = batch.params.seed === undefined ? undefined : seedForImage(batch.params.seed, item.index);
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
          ...withoutUndefined({ aspectRatio, size, quality, outputFormat, background, negativePrompt, seed, steps, cfgScale, sampler, denoisingStrength }),
          ...(inputImages.length > 0 ? { inputImages } : {}),
          onProgress: createItemProgressReporter({ batchId: batch.id, index: item.index, publish: (progress) => this.#options.journal.publishProgress(progress) }),
        },
        provider,
        lane,
        policy: retryPolicy,
        previousAttempts: item.runAttempts,
        ...(run.budget ? { budget: run.budget } : {}),
        signal: AbortSignal.any([run.controller.signal, stopSignal]),
        random,
        onStart: (attempt) => this.#logStart(run, batch.id, item.index, attempt),
      });
      // Interrupted by a stop, not a cancel: leave it running; recovery requeues it.
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
      run.active -= 1;
      if (run.active === 0) run.inputImages = undefined;
    }
  }

  /** Aborts the batch's calls in flight here; they end `canceled` (images already made are kept). */
  abortBatch(batchId: string): void {
    const run = this.#runs.get(batchId);
    if (!run) return;
    this.#runs.delete(batchId);
    run.controller.abort(new DOMException('The batch was canceled', 'AbortError'));
  }

  /** An item whose provider this server does not have: it fails with the reason, the rest go on. */
  async failUnrunnable(batch: BatchRecord, item: ItemRecord, reason: unknown): Promise<void> {
    const change = await this.#options.journal.claimItem(batch.id, item.index, this.#newLease());
    if (!change) return;
    const error = internalError(`Provider "${batch.providerId}" is not available on this server`, reason);
    const ending = toItemEnding(item.index, { status: 'failed', error }, null);
    await this.#options.journal.finishItem({ batchId: batch.id, index: item.index, attemptsInRun: 0, ...ending });
  }

  #newLease() {
    return { owner: this.#owner, expiresAtMs: Date.now() + this.#options.leaseMs };
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
    this.#options.onRetryScheduled?.(notBeforeMs);
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
    // The seed the provider reports it used wins over the one asked for (a random seed is only known after).
    const seed = image.seed ?? (batch.params.seed === undefined ? undefined : seedForImage(batch.params.seed, item.index));
    const metadata = toImageTextMetadata({
      prompt: item.prompt,
      providerId: provider.id,
      modelId: provider.modelId,
      mode: batch.mode,
      aspectRatio: batch.params.aspectRatio,
      seed,
      negativePrompt: batch.params.negativePrompt,
      steps: batch.params.steps,
      cfgScale: batch.params.cfgScale,
      sampler: batch.params.sampler,
      denoisingStrength: batch.params.denoisingStrength,
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
        ...(seed === undefined ? {} : { seed }),
      };
    } catch (error) {
      this.#options.log('image-store-error', { batchId: batch.id, index: item.index, message: errorMessage(error) });
      if (isStorageFullError(error)) {
        this.#options.onStorageFull?.();
        return {
          status: 'failed',
          error: { kind: 'storage_full', message: 'Storage is full: the image was made but could not be saved', details: errorMessage(error) },
        };
      }
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
}

/** What one image cost: the provider's reported usage at the model's price, else its list price. */
function costOfImage(batch: BatchRecord, price: ModelPrice | undefined, image: GeneratedImage): number | undefined {
  if (batch.isDemo) return 0;
  return imageCostUsd(price, image.usage, batch.params.quality, batch.params.size);
}


function unendedOf(batch: BatchRecord): number {
  return batch.total - batch.succeeded - batch.failed - batch.canceled;
}

/** Average time per item ended in this run, times the items left; null until one has ended. */
function estimateRunRemainingMs(run: BatchRun, remaining: number): number | null {
  return estimateRemainingMs(run.startedAtMs, run.endedInRun, remaining);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
