import { z } from 'zod';
import { formatUsd, roundUsd } from './usage';

/**
 * What a user (or one of their API tokens) may do. Every limit is optional: absent means no limit.
 * A token's quota applies on top of its user's: a request must fit both.
 */
export const quotaSchema = z
  .object({
    /** Images asked for per day (UTC), canceled ones not counted. */
    imagesPerDay: z.number().int().positive().optional(),
    /** Batches queued or running at once. */
    concurrentBatches: z.number().int().positive().optional(),
    /** Images in one batch. */
    maxBatchImages: z.number().int().positive().optional(),
    /** Providers (`openai`) or models (`openai/gpt-image-2.5-flare`) allowed; absent allows every one. */
    allowedModels: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
    /** USD spent per day (UTC), from the models' prices; models without a price count as free. */
    spendPerDayUsd: z.number().nonnegative().max(1_000_000).optional(),
  })
  .strict();

export type Quota = z.infer<typeof quotaSchema>;

/** A request for images, as a quota sees it. */
export interface QuotaRequest {
  providerId: string;
  modelId: string;
  images: number;
  /** The estimated price of one image, USD; undefined when the model has no price. */
  estimatedImageCostUsd?: number;
}

/** What the user or token has done today and has running (see the batch store's `activity`). */
export interface QuotaActivity {
  imagesSince: number;
  spentUsdSince: number;
  unfinishedBatches: number;
  pendingEstimateUsd: number;
}

export interface QuotaRefusal {
  /** 403: this request can never fit (a model not allowed, a batch too large); 429: it will fit later. */
  status: 403 | 429;
  limit: keyof Quota;
  message: string;
  /** When the limit resets (ISO 8601), for the daily limits. */
  resetsAt?: string;
}

/** Midnight UTC of `now`'s day: the daily limits count from here. */
export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** The next midnight UTC: when the daily limits reset. */
export function nextUtcMidnight(now: Date): Date {
  return new Date(startOfUtcDay(now).getTime() + 24 * 60 * 60_000);
}

/** True when `quota.allowedModels` lets this provider and model through. */
export function allowsModel(quota: Quota, providerId: string, modelId: string): boolean {
  if (quota.allowedModels === undefined) return true;
  return quota.allowedModels.some((entry) => entry === providerId || entry === `${providerId}/${modelId}`);
}

/**
 * Whether `request` fits `quota` given `activity` (whose: `holder`, "your account" or "this
 * token"); the first limit it breaks, with a message that says which and when it resets.
 */
export function quotaRefusal(quota: Quota, request: QuotaRequest, activity: QuotaActivity, now: Date, holder: string): QuotaRefusal | undefined {
  const resetsAt = nextUtcMidnight(now).toISOString();
  if (!allowsModel(quota, request.providerId, request.modelId)) {
    return {
      status: 403,
      limit: 'allowedModels',
      message: `${capitalized(holder)} may not use ${request.providerId}/${request.modelId}; allowed: ${quota.allowedModels!.join(', ')}.`,
    };
  }
  if (quota.maxBatchImages !== undefined && request.images > quota.maxBatchImages) {
    return {
      status: 403,
      limit: 'maxBatchImages',
      message: `This batch has ${request.images} images; ${holder} may ask for at most ${quota.maxBatchImages} in one batch.`,
    };
  }
  if (quota.concurrentBatches !== undefined && activity.unfinishedBatches >= quota.concurrentBatches) {
    return {
      status: 429,
      limit: 'concurrentBatches',
      message: `${capitalized(holder)} already has ${activity.unfinishedBatches} batches queued or running (the limit is ${quota.concurrentBatches}); try again when one ends, or cancel one.`,
    };
  }
  if (quota.imagesPerDay !== undefined && activity.imagesSince + request.images > quota.imagesPerDay) {
    const left = Math.max(0, quota.imagesPerDay - activity.imagesSince);
    return {
      status: 429,
      limit: 'imagesPerDay',
      message: `Daily image quota: ${holder} may ask for ${quota.imagesPerDay} images a day and has ${left} left today; it resets at ${resetsAt}.`,
      resetsAt,
    };
  }
  const remaining = remainingSpendUsd(quota, activity);
  // Rounded like every dollar figure: 3 × $0.10 is 0.30000000000000004 in doubles, not over a $0.30 cap.
  const estimate = roundUsd((request.estimatedImageCostUsd ?? 0) * request.images);
  if (remaining !== undefined && (remaining <= 0 || estimate > remaining)) {
    return {
      status: 429,
      limit: 'spendPerDayUsd',
      message: `Daily spend cap: ${holder} may spend ${formatUsd(quota.spendPerDayUsd!)} a day and has ${formatUsd(Math.max(0, remaining))} left today (this batch is estimated at ${formatUsd(estimate)}); it resets at ${resetsAt}.`,
      resetsAt,
    };
  }
  return undefined;
}

/** What is left of today's spend cap once running batches finish as estimated; undefined without a cap. */
export function remainingSpendUsd(quota: Quota, activity: QuotaActivity): number | undefined {
  if (quota.spendPerDayUsd === undefined) return undefined;
  return roundUsd(quota.spendPerDayUsd - activity.spentUsdSince - activity.pendingEstimateUsd);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
