import { z } from 'zod';
import { aspectRatios } from '@/lib/core/image';
import { batchStatuses, generationModes } from '@/lib/core/events';
import { imageBackgrounds, imageQualities, outputFormats } from '@/lib/core/image-options';
import type { BatchList, BatchView } from '@/lib/server';

/**
 * What the batch API answers (`BatchView` in lib/server), as the browser validates it: parse, don't
 * cast. Kept in step with the server's types by the compile-time checks at the end of this file.
 */

export const storedBatchStatuses = ['queued', 'running', ...batchStatuses] as const;
export const itemStatuses = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;

export const batchItemViewSchema = z.object({
  index: z.number().int().positive(),
  prompt: z.string(),
  status: z.enum(itemStatuses),
  attempts: z.number().int().nonnegative(),
  error: z.object({ kind: z.string(), message: z.string(), details: z.string().optional() }).optional(),
  imageId: z.string().optional(),
  imageUrl: z.string().optional(),
  mimeType: z.string().optional(),
  /** What the provider reported spending on this image, when it did. */
  usage: z
    .object({
      inputTokens: z.number().optional(),
      inputImageTokens: z.number().optional(),
      outputTokens: z.number().optional(),
      thoughtTokens: z.number().optional(),
      totalTokens: z.number().optional(),
    })
    .optional(),
  /** In USD, when the model's price is known. */
  costUsd: z.number().nonnegative().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});

export const batchViewSchema = z.object({
  id: z.string().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  prompt: z.string(),
  prompts: z.array(z.string()),
  mode: z.enum(generationModes),
  provider: z.string(),
  model: z.string(),
  isDemo: z.boolean(),
  aspectRatio: z.enum(aspectRatios).optional(),
  /** `1K`/`2K`/`4K` or `WIDTHxHEIGHT`. */
  size: z.string().optional(),
  quality: z.enum(imageQualities).optional(),
  outputFormat: z.enum(outputFormats).optional(),
  background: z.enum(imageBackgrounds).optional(),
  numberOfImages: z.number().int().positive(),
  /** USD, before the run, at the model's list price (absent when the price is unknown). */
  estimatedCostUsd: z.number().nonnegative().optional(),
  /** USD spent so far (optional here: older servers did not count it). */
  costUsd: z.number().nonnegative().optional(),
  /** The cap the request set, in USD. */
  maxCostUsd: z.number().positive().optional(),
  status: z.enum(storedBatchStatuses),
  total: z.number().int().positive(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  canceled: z.number().int().nonnegative(),
  inputImageUrl: z.string().optional(),
  /** Every uploaded image of an image-to-image batch. */
  inputImageUrls: z.array(z.string()).optional(),
  url: z.string(),
  eventsUrl: z.string(),
  zipUrl: z.string(),
  /**
   * The sequence of the batch's last logged event when the view was read. Not sent by the server
   * yet; when it is, the page resumes the event stream right after it instead of replaying the log.
   */
  lastSequence: z.number().int().nonnegative().optional(),
  items: z.array(batchItemViewSchema).optional(),
});

export const batchListSchema = z.object({
  batches: z.array(batchViewSchema),
  nextCursor: z.string().optional(),
  nextUrl: z.string().optional(),
});

/** The answer to cancel (`canceledCount`) and retry (`requeuedCount`): the batch as it now stands. */
export const batchActionResultSchema = z.object({ batch: batchViewSchema });

export type BatchViewData = z.infer<typeof batchViewSchema>;
export type BatchItemViewData = z.infer<typeof batchItemViewSchema>;
export type BatchListData = z.infer<typeof batchListSchema>;

// Compile-time: whatever the server's types allow, this schema accepts, and the page can take the
// server's own objects (the first page is loaded on the server) where it takes validated ones.
type Assert<Condition extends true> = Condition;
export type ServerViewFitsSchema = Assert<BatchView extends z.input<typeof batchViewSchema> ? true : false>;
export type ServerViewFitsData = Assert<BatchView extends BatchViewData ? true : false>;
export type ServerListFitsSchema = Assert<BatchList extends z.input<typeof batchListSchema> ? true : false>;
