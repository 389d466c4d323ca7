import type { GenerationMode, ImageOptions, ImageUsage, ItemError, ProgressEvent } from '@/lib/core';
import type { ImageRef } from './blob-store';

import type { StoredBatchStatus } from '@/lib/core';
export { storedBatchStatuses, type StoredBatchStatus } from '@/lib/core';

export const itemStatuses = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type ItemStatus = (typeof itemStatuses)[number];

/** What a batch was asked for, beyond its prompt and mode (kept as JSON). */
export interface BatchParams extends ImageOptions {
  /** Images requested (per prompt when there are several). */
  numberOfImages: number;
  /** Present when the batch has several prompts; each item records its own. */
  prompts?: string[];
  /** The uploaded images of an image-to-image batch, kept in the blob store so a restart can resume. */
  inputImages?: ImageRef[];
  /** Batches stored before several input images existed kept one here; read it as `inputImages: [it]`. */
  inputImage?: ImageRef;
  /** The most this batch may cost, in USD: items that would pass it are not started. */
  maxCostUsd?: number;
  /** What one image was estimated to cost before the run, in USD (the model's list price for these options). */
  estimatedImageCostUsd?: number;
  /**
   * Where each end of a run of this batch is POSTed (the request's `webhookUrl` and the server's
   * `WEBHOOK_URL`, as they stood at creation): the store creates the deliveries with the `batch-end`.
   */
  webhookUrls?: string[];
  /** The origin the batch's image URLs are made absolute with (PUBLIC_URL, else the request's). */
  publicOrigin?: string;
}

/** The input images of a batch, whichever way it was stored. */
export function inputImagesOf(params: BatchParams): ImageRef[] {
  return params.inputImages ?? (params.inputImage ? [params.inputImage] : []);
}

export interface BatchRecord {
  id: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** ISO 8601, UTC: the last change to the batch or one of its items. */
  updatedAt: string;
  /** The batch's (first) prompt. */
  prompt: string;
  mode: GenerationMode;
  providerId: string;
  modelId: string;
  /** The offline demo provider made it: labelled as a demo, never presented as AI. */
  isDemo: boolean;
  params: BatchParams;
  /** What its images cost so far, in USD (the sum of its items' `costUsd`). */
  costUsd: number;
  /** Derived from the items' statuses on every change (see `deriveBatchStatus`). */
  status: StoredBatchStatus;
  total: number;
  succeeded: number;
  failed: number;
  canceled: number;
  /**
   * The sequence of the batch's last logged event (0 before any), read with the rest of the record:
   * a reader that shows this record follows the log from here on and misses nothing.
   */
  lastEventSequence: number;
  /** The user who created it; absent for batches made while accounts were off. */
  ownerId?: string;
  /** The API token it was created with, when one was used. */
  tokenId?: string;
}

export interface ItemRecord {
  batchId: string;
  /** 1-based position in the batch. */
  index: number;
  prompt: string;
  status: ItemStatus;
  /** Provider calls made for this item, over every run (a retry of the batch adds to it). */
  attempts: number;
  /** Provider calls in the current run (what the retry policy counts; a batch retry starts again at 0). */
  runAttempts: number;
  /** A queued item waiting for its retry: not before this time (epoch ms). */
  notBeforeMs?: number;
  /** Present when `failed`. */
  error?: ItemError;
  /** Present when `succeeded`. */
  image?: ImageRef;
  /** What the provider reported spending on the image, when it did. */
  usage?: ImageUsage;
  /** What the image cost in USD, when the model's price is known. */
  costUsd?: number;
  /** The seed the image was made with (asked for, or chosen and reported by the provider), when known. */
  seed?: number;
  /** ISO 8601, UTC: when the current (or last) run of the item started. */
  startedAt?: string;
  /** ISO 8601, UTC: when the item ended. */
  endedAt?: string;
  /** Its owner marked the image as a favorite (absent when not): kept by retention, found by `onlyWithFavorites`. */
  isFavorite?: true;
  /**
   * ISO 8601, UTC: when its owner deleted the image. The item stays `succeeded` (it did succeed: the
   * batch's counters and status do not change, and a retry does not make it again) but has no `image`.
   */
  imageDeletedAt?: string;
}

export interface BatchWithItems extends BatchRecord {
  /** In index order. */
  items: ItemRecord[];
}

type DistributiveOmit<Type, Key extends PropertyKey> = Type extends unknown ? Omit<Type, Key> : never;

/**
 * A progress event as the durable log keeps it: the wire union without image bytes (`data`) and
 * without the classic body (`result`, which embeds images). Replays point at images by item instead.
 */
export type BatchEvent = DistributiveOmit<ProgressEvent, 'data' | 'result'>;

/**
 * What a caller appends. The store stamps `batchId`, the next `sequence`, and the counters
 * (`total`, `completed` = succeeded, `failed`) from the batch as it stands in the same transaction.
 */
export type BatchEventInput = DistributiveOmit<BatchEvent, 'batchId' | 'sequence' | 'total' | 'completed' | 'failed'>;

/** How an item's run ended, as `finishItem` records it. */
export type ItemResult =
  | { status: 'succeeded'; image: ImageRef; usage?: ImageUsage; costUsd?: number; seed?: number }
  | { status: 'failed'; error: ItemError }
  | { status: 'canceled' };
