import { inputImagesOf, type BatchEvent, type BatchRecord, type BatchWithItems, type ItemRecord, type ItemStatus, type StoredBatchStatus } from '@/lib/store';
import { roundUsd, type AspectRatio, type GenerationMode, type ImageBackground, type ImageQuality, type ImageSize, type ImageUsage, type ItemError, type OutputFormat, type ProgressEvent } from '@/lib/core';

/** Where the API serves a stored image. */
export function imageUrlOf(imageId: string): string {
  return `/api/images/${encodeURIComponent(imageId)}`;
}

export function batchUrlOf(batchId: string): string {
  return `/api/batches/${encodeURIComponent(batchId)}`;
}

/** One item of a batch as the API shows it. */
export interface BatchItemView {
  /** 1-based position in the batch. */
  index: number;
  prompt: string;
  status: ItemStatus;
  /** Provider calls made for this item so far, over every run. */
  attempts: number;
  /** When failed: `{ kind, message, details? }`; `message` is short and human. */
  error?: Omit<ItemError, 'retryAfterMs'>;
  /** When succeeded. */
  imageId?: string;
  /** When succeeded: `/api/images/<imageId>`. */
  imageUrl?: string;
  mimeType?: string;
  /** What the provider reported spending on this image, when it did. */
  usage?: ImageUsage;
  /** What this image cost in USD, when the model's price is known (0 on the demo). */
  costUsd?: number;
  /** ISO 8601. */
  startedAt?: string;
  /** ISO 8601. */
  endedAt?: string;
}

/** A batch as the API shows it (`GET /api/batches/:id`, the list, and the answers to POST, cancel and retry). */
export interface BatchView {
  id: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601: the last change to the batch or one of its items. */
  updatedAt: string;
  /** The first prompt. */
  prompt: string;
  /** Every prompt, in order (one entry for a single-prompt batch). */
  prompts: string[];
  mode: GenerationMode;
  provider: string;
  model: string;
  /** The offline demo provider: labelled as a demo, never presented as AI. */
  isDemo: boolean;
  aspectRatio?: AspectRatio;
  size?: ImageSize;
  quality?: ImageQuality;
  outputFormat?: OutputFormat;
  background?: ImageBackground;
  /** Images per prompt. */
  numberOfImages: number;
  /** The estimate before the run, in USD: every image at the model's list price (absent when the price is unknown). */
  estimatedCostUsd?: number;
  /** What the images made so far cost, in USD. */
  costUsd: number;
  /** The cap the request set, in USD: images that would pass it are not started. */
  maxCostUsd?: number;
  /** `queued` until an item starts, `running` until every item has ended, then how it ended. */
  status: StoredBatchStatus;
  total: number;
  succeeded: number;
  failed: number;
  canceled: number;
  /** The first uploaded image of an image-to-image batch. */
  inputImageUrl?: string;
  /** Every uploaded image of an image-to-image batch. */
  inputImageUrls?: string[];
  /** This batch: `/api/batches/<id>`. */
  url: string;
  /** Live progress: `/api/batches/<id>/events` (SSE, resumable with Last-Event-ID). */
  eventsUrl: string;
  /** Every image as a ZIP with manifest.json: `/api/batches/<id>/zip`. */
  zipUrl: string;
  /** In index order (present when the items were loaded). */
  items?: BatchItemView[];
  /**
   * The sequence of the last progress event this view reflects: resume the events stream after it
   * (`Last-Event-ID`) to miss nothing and replay nothing.
   */
  lastSequence: number;
}

export function toBatchView(batch: BatchRecord | BatchWithItems): BatchView {
  const url = batchUrlOf(batch.id);
  const { params } = batch;
  const inputImageUrls = inputImagesOf(params).map((image) => imageUrlOf(image.imageId));
  return {
    id: batch.id,
    createdAt: batch.createdAt,
    updatedAt: batch.updatedAt,
    prompt: batch.prompt,
    prompts: params.prompts ?? [batch.prompt],
    mode: batch.mode,
    provider: batch.providerId,
    model: batch.modelId,
    isDemo: batch.isDemo,
    ...(params.aspectRatio ? { aspectRatio: params.aspectRatio } : {}),
    ...(params.size ? { size: params.size } : {}),
    ...(params.quality ? { quality: params.quality } : {}),
    ...(params.outputFormat ? { outputFormat: params.outputFormat } : {}),
    ...(params.background ? { background: params.background } : {}),
    numberOfImages: params.numberOfImages,
    ...(params.estimatedImageCostUsd === undefined ? {} : { estimatedCostUsd: roundUsd(params.estimatedImageCostUsd * batch.total) }),
    costUsd: roundUsd(batch.costUsd),
    ...(params.maxCostUsd === undefined ? {} : { maxCostUsd: params.maxCostUsd }),
    status: batch.status,
    total: batch.total,
    succeeded: batch.succeeded,
    failed: batch.failed,
    canceled: batch.canceled,
    lastSequence: batch.lastEventSequence,
    ...(inputImageUrls.length > 0 ? { inputImageUrl: inputImageUrls[0], inputImageUrls } : {}),
    url,
    eventsUrl: `${url}/events`,
    zipUrl: `${url}/zip`,
    ...('items' in batch ? { items: batch.items.map(toItemView) } : {}),
  };
}

export function toItemView(item: ItemRecord): BatchItemView {
  return {
    index: item.index,
    prompt: item.prompt,
    status: item.status,
    attempts: item.attempts,
    ...(item.error
      ? { error: { kind: item.error.kind, message: item.error.message, ...(item.error.details ? { details: item.error.details } : {}) } }
      : {}),
    ...(item.image ? { imageId: item.image.imageId, imageUrl: imageUrlOf(item.image.imageId), mimeType: item.image.mimeType } : {}),
    ...(item.usage ? { usage: item.usage } : {}),
    ...(item.costUsd === undefined ? {} : { costUsd: item.costUsd }),
    ...(item.startedAt ? { startedAt: item.startedAt } : {}),
    ...(item.endedAt ? { endedAt: item.endedAt } : {}),
  };
}

/** A logged event as sent on the wire: a stored image gets its URL next to its id. */
export function toWireEvent(event: BatchEvent): ProgressEvent {
  if (event.type === 'item-end' && event.imageId) return { ...event, imageUrl: imageUrlOf(event.imageId) };
  return event;
}
