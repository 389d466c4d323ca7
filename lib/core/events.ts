import { z } from 'zod';
import type { GeneratedImage } from './provider';
import type { ItemError } from './errors';

/**
 * The progress event union, defined once. The wire form (SSE `data:`) is validated with these
 * schemas in the browser; the engine emits the same shapes with image bytes instead of base64.
 */

export const batchStatuses = ['completed', 'partial', 'failed', 'canceled'] as const;
export type BatchStatus = (typeof batchStatuses)[number];

export const generationModes = ['text-to-image', 'image-to-image'] as const;
export type GenerationMode = (typeof generationModes)[number];

const counters = {
  batchId: z.string().min(1),
  /** Monotonically increasing per batch; the SSE `id:`. */
  sequence: z.number().int().nonnegative(),
  total: z.number().int().positive(),
  /** Images that succeeded so far. */
  completed: z.number().int().nonnegative(),
  /** Images that failed so far. */
  failed: z.number().int().nonnegative(),
  /** Estimated time to the end, once one image has finished; null before. */
  etaMs: z.number().nonnegative().nullable(),
};
const index = z.number().int().positive();

export const batchStartEventSchema = z.object({
  type: z.literal('batch-start'),
  ...counters,
  provider: z.string(),
  model: z.string(),
  isDemo: z.boolean(),
  mode: z.enum(generationModes),
});

export const itemStartEventSchema = z.object({
  type: z.literal('item-start'),
  ...counters,
  index,
  /** 1 for the first try. */
  attempt: z.number().int().positive(),
});

export const itemRetryEventSchema = z.object({
  type: z.literal('item-retry'),
  ...counters,
  index,
  /** The attempt that failed. */
  attempt: z.number().int().positive(),
  delayMs: z.number().nonnegative(),
  kind: z.string(),
  error: z.string(),
});

export const itemEndEventSchema = z.object({
  type: z.literal('item-end'),
  ...counters,
  index,
  status: z.enum(['succeeded', 'failed', 'canceled']),
  /** base64, when succeeded (the classic generate stream; durable batches send `imageUrl` instead) */
  data: z.string().optional(),
  mimeType: z.string().optional(),
  /** The stored image, when succeeded in a durable batch (`/api/batches`). */
  imageId: z.string().optional(),
  /** Where to fetch the stored image, e.g. `/api/images/<imageId>`; present with `imageId`. */
  imageUrl: z.string().optional(),
  /** when failed */
  kind: z.string().optional(),
  error: z.string().optional(),
  details: z.string().optional(),
});

const classicBodySchema = z.union([
  z.object({
    /** Absent from the classic stream's `batch-end`: each image went out in its own `item-end`. */
    images: z.array(z.object({ data: z.string(), mimeType: z.string() })).optional(),
    success: z.number().int(),
    failed: z.number().int(),
    errors: z.array(z.object({ index, error: z.string(), details: z.string() })).optional(),
  }),
  z.object({
    error: z.literal('All image generations failed'),
    details: z.array(z.object({ index, error: z.string() })),
  }),
]);

export const batchEndEventSchema = z.object({
  type: z.literal('batch-end'),
  ...counters,
  status: z.enum(batchStatuses),
  /**
   * The classic JSON body the non-streaming request would have answered. Present on the classic
   * generate stream; absent on durable batch streams (`/api/batches/:id/events`), whose images are
   * fetched by URL (the item-end events' `imageUrl`, or `GET /api/batches/:id`).
   */
  result: classicBodySchema.optional(),
});

export const progressEventSchema = z.discriminatedUnion('type', [
  batchStartEventSchema,
  itemStartEventSchema,
  itemRetryEventSchema,
  itemEndEventSchema,
  batchEndEventSchema,
]);

export type ProgressEvent = z.infer<typeof progressEventSchema>;
export type ProgressEventType = ProgressEvent['type'];

/**
 * How far a running image has come (sampler step k of n), as the provider reports it. Live only:
 * not in the durable log, no sequence, no SSE `id:` (a reconnecting client resumes from the logged
 * events and sees the next step report). Sent on batch streams while an item runs.
 */
export const itemProgressEventSchema = z.object({
  type: z.literal('item-progress'),
  batchId: z.string().min(1),
  index,
  step: z.number().int().nonnegative(),
  totalSteps: z.number().int().positive(),
});

export type ItemProgressEvent = z.infer<typeof itemProgressEventSchema>;

/** What a batch's event stream carries: the logged events, and live step progress between them. */
export type StreamEvent = ProgressEvent | ItemProgressEvent;

type Counters = Pick<ProgressEvent, 'batchId' | 'sequence' | 'total' | 'completed' | 'failed' | 'etaMs'>;

/** What the engine emits: the same union, with bytes instead of base64 and no classic body. */
export type EngineEvent =
  | (Counters & { type: 'batch-start' })
  | (Counters & { type: 'item-start'; index: number; attempt: number })
  | (Counters & { type: 'item-retry'; index: number; attempt: number; delayMs: number; error: ItemError })
  | (Counters & { type: 'item-end'; index: number; outcome: ItemOutcome })
  | (Counters & { type: 'batch-end'; status: BatchStatus });

export type ItemOutcome =
  | { status: 'succeeded'; image: GeneratedImage; attempts: number }
  | { status: 'failed'; error: ItemError; attempts: number }
  | { status: 'canceled'; attempts: number };
