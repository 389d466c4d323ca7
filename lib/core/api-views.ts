import { z } from 'zod';
import { storedBatchStatuses } from './batch-status';
import { providerErrorKinds, type ItemError } from './errors';
import { generationModes } from './events';
import { aspectRatios } from './image';
import { imageBackgrounds, imageQualities, imageSizePresets, outputFormats } from './image-options';

/**
 * What the batch API answers (`GET /api/batches`, `GET /api/batches/:id`, the answers to POST,
 * cancel and retry, `GET /api/storage`), defined once: the server types its answers with these,
 * the browser validates what it receives with them (parse, don't cast).
 */

/** An item's life: queued, running (a provider call in flight or a retry waiting), then how it ended. */
export const itemStatuses = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;

/** Every `kind` an item's error can have: the provider's, an internal error, or the batch's cost cap. */
export const itemErrorKinds = [...providerErrorKinds, 'internal', 'cost_limit', 'storage_full'] as const;

/** Why a failed item was not tried again. */
export const retryStops = ['not_retryable', 'attempts_exhausted'] as const;

const imageSizeSchema = z.union([z.enum(imageSizePresets), z.templateLiteral([z.number().int(), 'x', z.number().int()])]);

export const itemErrorViewSchema = z.object({
  kind: z.enum(itemErrorKinds),
  /** Short and human: "Blocked by the safety filter". */
  message: z.string(),
  /** The provider's own words or other specifics. */
  details: z.string().optional(),
  retryStop: z.enum(retryStops).optional(),
});

export const imageUsageSchema = z.object({
  inputTokens: z.number().optional(),
  inputImageTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  thoughtTokens: z.number().optional(),
  totalTokens: z.number().optional(),
});

export const batchItemViewSchema = z.object({
  /** 1-based position in the batch. */
  index: z.number().int().positive(),
  prompt: z.string(),
  /**
   * This image's seed: the one the provider reported making it with (a local server's random seed),
   * else, when the batch asked for one, `seed + index - 1`. Makes it again on its own.
   */
  seed: z.number().int().nonnegative().optional(),
  status: z.enum(itemStatuses),
  /** Provider calls made for this item so far, over every run. */
  attempts: z.number().int().nonnegative(),
  /** When failed. */
  error: itemErrorViewSchema.optional(),
  /** When succeeded. */
  imageId: z.string().optional(),
  /** When succeeded: `/api/images/<imageId>`. */
  imageUrl: z.string().optional(),
  mimeType: z.string().optional(),
  /** What the provider reported spending on this image, when it did. */
  usage: imageUsageSchema.optional(),
  /** What this image cost in USD, when the model's price is known (0 on the demo). */
  costUsd: z.number().nonnegative().optional(),
  /** ISO 8601. */
  startedAt: z.string().optional(),
  /** ISO 8601. */
  endedAt: z.string().optional(),
  /** Succeeded items: the owner marked the image as a favorite (`POST <batch url>/items/<index>/favorite`). */
  isFavorite: z.boolean().optional(),
  /**
   * ISO 8601: when its owner deleted the image (`DELETE <batch url>/items/<index>`). The item stays
   * `succeeded` (the batch's counts do not change, a retry does not make it again), without `imageUrl`.
   */
  imageDeletedAt: z.string().optional(),
});

/** One completion webhook of a batch (one per target per end of a run), as `GET /api/batches/:id` shows it. */
export const webhookDeliveryViewSchema = z.object({
  /** The `webhook-id` header: the same on every attempt. */
  id: z.string(),
  /** The receiver's origin only (`https://hooks.example.org`): a path or query may hold the receiver's token. */
  target: z.string(),
  /** `pending` (not yet sent, or retrying), `delivered` (a 2xx answer), `failed` (no attempt left). */
  status: z.enum(['pending', 'delivered', 'failed']),
  /** The sequence of the `batch-end` it reports. */
  sequence: z.number().int().positive(),
  attempts: z.number().int().nonnegative(),
  lastStatusCode: z.number().int().optional(),
  /** Why the last attempt got no answer (a timeout, a refused connection, a private address). */
  lastError: z.string().optional(),
  /** ISO 8601: when a pending delivery is tried next. */
  nextAttemptAt: z.string().optional(),
  /** ISO 8601. */
  deliveredAt: z.string().optional(),
});

export const batchViewSchema = z.object({
  id: z.string().min(1),
  /** ISO 8601. */
  createdAt: z.string(),
  /** ISO 8601: the last change to the batch or one of its items. */
  updatedAt: z.string(),
  /** The first prompt. */
  prompt: z.string(),
  /** Every prompt, in order (one entry for a single-prompt batch); each makes `numberOfImages` items. */
  prompts: z.array(z.string()).min(1),
  mode: z.enum(generationModes),
  provider: z.string(),
  model: z.string(),
  /** The offline demo provider: labelled as a demo, never presented as AI. */
  isDemo: z.boolean(),
  aspectRatio: z.enum(aspectRatios).optional(),
  /** `1K`/`2K`/`4K` or `WIDTHxHEIGHT`. */
  size: imageSizeSchema.optional(),
  quality: z.enum(imageQualities).optional(),
  outputFormat: z.enum(outputFormats).optional(),
  background: z.enum(imageBackgrounds).optional(),
  /** The diffusion controls asked for (`ImageOptions`); image N of the batch used `seed + N - 1`. */
  negativePrompt: z.string().optional(),
  seed: z.number().int().nonnegative().optional(),
  steps: z.number().int().positive().optional(),
  cfgScale: z.number().optional(),
  sampler: z.string().optional(),
  denoisingStrength: z.number().optional(),
  /** Images per prompt. */
  numberOfImages: z.number().int().positive(),
  /** USD, before the run, every image at the model's list price (absent when the price is unknown). */
  estimatedCostUsd: z.number().nonnegative().optional(),
  /** USD the images made so far cost. */
  costUsd: z.number().nonnegative(),
  /** The cap the request set, in USD: images that would pass it are not started. */
  maxCostUsd: z.number().positive().optional(),
  /** `queued` until an item starts, `running` until every item has ended, then how it ended. */
  status: z.enum(storedBatchStatuses),
  total: z.number().int().positive(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  canceled: z.number().int().nonnegative(),
  /** The first uploaded image of an image-to-image batch. */
  inputImageUrl: z.string().optional(),
  /** Every uploaded image of an image-to-image batch. */
  inputImageUrls: z.array(z.string()).optional(),
  /** This batch: `/api/batches/<id>`. */
  url: z.string(),
  /** Live progress: `/api/batches/<id>/events` (SSE, resumable with Last-Event-ID). */
  eventsUrl: z.string(),
  /** Every image as a ZIP with manifest.json: `/api/batches/<id>/zip`. */
  zipUrl: z.string(),
  /**
   * The sequence of the last progress event this view reflects: resume the event stream after it
   * (`Last-Event-ID`) to miss nothing and replay nothing.
   */
  lastSequence: z.number().int().nonnegative(),
  /** In index order (present when the items were loaded). */
  items: z.array(batchItemViewSchema).optional(),
  /** Its completion webhooks, oldest first (present when the batch has any). */
  webhooks: z.array(webhookDeliveryViewSchema).optional(),
});

export const batchListSchema = z.object({
  /** Newest first, each with its items. */
  batches: z.array(batchViewSchema),
  /** Pass as `before` for the next page; absent on the last page. */
  nextCursor: z.string().optional(),
  /** The next page's URL; absent on the last page. */
  nextUrl: z.string().optional(),
});

/** The answer to cancel (with `canceledCount`) and retry (with `requeuedCount`): the batch as it now stands. */
export const batchActionResultSchema = z.object({ batch: batchViewSchema });

/** `GET /api/storage`: what the stored batches take. */
export const storageUsageSchema = z.object({
  batchCount: z.number().int().nonnegative(),
  imageCount: z.number().int().nonnegative(),
  /** The made images' bytes (uploaded input images are not counted). */
  imageBytes: z.number().int().nonnegative(),
  /** Finished batches older than this are deleted, when the server sets RETENTION_DAYS. */
  retentionDays: z.number().positive().optional(),
});

/** A batch as the API shows it. */
export type BatchView = z.infer<typeof batchViewSchema>;
/** One item of a batch as the API shows it. */
export type BatchItemView = z.infer<typeof batchItemViewSchema>;
export type WebhookDeliveryView = z.infer<typeof webhookDeliveryViewSchema>;
/** One page of `GET /api/batches`, newest first. */
export type BatchList = z.infer<typeof batchListSchema>;
export type StorageUsageView = z.infer<typeof storageUsageSchema>;

// Compile-time: every error an item can carry fits the view (the view leaves out `retryAfterMs`).
type Assert<Condition extends true> = Condition;
export type ItemErrorFitsView = Assert<Omit<ItemError, 'retryAfterMs'> extends z.infer<typeof itemErrorViewSchema> ? true : false>;
