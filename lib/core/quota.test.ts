import { describe, expect, it } from 'vitest';
import {
  allowsModel,
  nextUtcMidnight,
  quotaRefusal,
  quotaSchema,
  remainingSpendUsd,
  startOfUtcDay,
  type Quota,
  type QuotaActivity,
  type QuotaRequest,
} from './quota';

const now = new Date('2026-03-14T15:09:26.535Z');
const midnight = '2026-03-15T00:00:00.000Z';
const idle: QuotaActivity = { imagesSince: 0, spentUsdSince: 0, unfinishedBatches: 0, pendingEstimateUsd: 0 };
const request = (overrides: Partial<QuotaRequest> = {}): QuotaRequest => ({ providerId: 'openai', modelId: 'gpt-image-2.5-flare', images: 4, ...overrides });
const refusal = (quota: Quota, overrides: Partial<QuotaRequest> = {}, activity: Partial<QuotaActivity> = {}) =>
  quotaRefusal(quota, request(overrides), { ...idle, ...activity }, now, 'your account');

describe('the UTC day', () => {
  it('starts at midnight UTC and resets at the next one, whatever the time of day', () => {
    expect(startOfUtcDay(now).toISOString()).toBe('2026-03-14T00:00:00.000Z');
    expect(nextUtcMidnight(now).toISOString()).toBe(midnight);
    expect(startOfUtcDay(new Date('2026-03-14T00:00:00.000Z')).toISOString()).toBe('2026-03-14T00:00:00.000Z');
    expect(nextUtcMidnight(new Date('2026-03-14T23:59:59.999Z')).toISOString()).toBe(midnight);
    // Month and year boundaries.
    expect(nextUtcMidnight(new Date('2026-12-31T12:00:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextUtcMidnight(new Date('2028-02-28T12:00:00Z')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('allowsModel', () => {
  it('allows everything without a list', () => {
    expect(allowsModel({}, 'gemini', 'anything')).toBe(true);
  });

  it('a provider entry allows each of its models; a provider/model entry allows that model only', () => {
    const quota: Quota = { allowedModels: ['demo', 'openai/gpt-image-2.5-flare'] };
    expect(allowsModel(quota, 'demo', 'demo-1')).toBe(true);
    expect(allowsModel(quota, 'demo', 'another')).toBe(true);
    expect(allowsModel(quota, 'openai', 'gpt-image-2.5-flare')).toBe(true);
    expect(allowsModel(quota, 'openai', 'chatgpt-image-latest')).toBe(false);
    expect(allowsModel(quota, 'gemini', 'gemini-3-pro-image')).toBe(false);
  });

  it('matches whole names, not prefixes', () => {
    const quota: Quota = { allowedModels: ['open', 'openai/gpt-image'] };
    expect(allowsModel(quota, 'openai', 'gpt-image-2.5-flare')).toBe(false);
    expect(allowsModel(quota, 'openai', 'gpt-image')).toBe(true);
  });

  it('an empty list allows nothing', () => {
    expect(allowsModel({ allowedModels: [] }, 'demo', 'demo-1')).toBe(false);
  });
});

describe('quotaRefusal: each limit', () => {
  it('no quota, no refusal', () => {
    expect(refusal({}, { images: 100, estimatedImageCostUsd: 10 }, { imagesSince: 1e6, unfinishedBatches: 1e3, spentUsdSince: 1e6 })).toBeUndefined();
  });

  it('allowedModels: 403, naming the model and what is allowed; no reset time (waiting will not help)', () => {
    const refused = refusal({ allowedModels: ['demo', 'gemini/gemini-3-pro-image'] });
    expect(refused).toEqual({
      status: 403,
      limit: 'allowedModels',
      message: 'Your account may not use openai/gpt-image-2.5-flare; allowed: demo, gemini/gemini-3-pro-image.',
    });
    expect(refusal({ allowedModels: ['openai'] })).toBeUndefined();
  });

  it('maxBatchImages: 403 above the limit, the limit itself fits', () => {
    expect(refusal({ maxBatchImages: 4 }, { images: 4 })).toBeUndefined();
    const refused = refusal({ maxBatchImages: 4 }, { images: 5 });
    expect(refused).toMatchObject({ status: 403, limit: 'maxBatchImages' });
    expect(refused!.message).toBe('This batch has 5 images; your account may ask for at most 4 in one batch.');
    expect(refused).not.toHaveProperty('resetsAt');
  });

  it('concurrentBatches: 429 once as many batches are unfinished as allowed', () => {
    expect(refusal({ concurrentBatches: 2 }, {}, { unfinishedBatches: 1 })).toBeUndefined();
    const refused = refusal({ concurrentBatches: 2 }, {}, { unfinishedBatches: 2 });
    expect(refused).toMatchObject({ status: 429, limit: 'concurrentBatches' });
    expect(refused!.message).toMatch(/already has 2 batches queued or running \(the limit is 2\)/);
    // It resets when a batch ends, not at midnight.
    expect(refused).not.toHaveProperty('resetsAt');
  });

  it('imagesPerDay: 429 when today\'s images plus this batch pass it; exactly reaching it fits', () => {
    expect(refusal({ imagesPerDay: 10 }, { images: 4 }, { imagesSince: 6 })).toBeUndefined();
    const refused = refusal({ imagesPerDay: 10 }, { images: 4 }, { imagesSince: 7 });
    expect(refused).toEqual({
      status: 429,
      limit: 'imagesPerDay',
      resetsAt: midnight,
      message: `Daily image quota: your account may ask for 10 images a day and has 3 left today; it resets at ${midnight}.`,
    });
  });

  it('imagesPerDay: "0 left", never a negative count, once over it', () => {
    expect(refusal({ imagesPerDay: 10 }, { images: 1 }, { imagesSince: 12 })!.message).toMatch(/has 0 left today/);
  });

  it('spendPerDayUsd: 429 when the estimate passes what is left after spending and pending batches', () => {
    const quota: Quota = { spendPerDayUsd: 1 };
    // Left: 1 - 0.5 - 0.3 = 0.2; 4 images at 0.05 fit exactly.
    expect(refusal(quota, { images: 4, estimatedImageCostUsd: 0.05 }, { spentUsdSince: 0.5, pendingEstimateUsd: 0.3 })).toBeUndefined();
    const refused = refusal(quota, { images: 4, estimatedImageCostUsd: 0.06 }, { spentUsdSince: 0.5, pendingEstimateUsd: 0.3 });
    expect(refused).toMatchObject({ status: 429, limit: 'spendPerDayUsd', resetsAt: midnight });
    expect(refused!.message).toBe(
      `Daily spend cap: your account may spend $1.00 a day and has $0.20 left today (this batch is estimated at $0.24); it resets at ${midnight}.`,
    );
  });

  it('spendPerDayUsd: a model without a price counts as free, until nothing at all is left', () => {
    const quota: Quota = { spendPerDayUsd: 1 };
    expect(refusal(quota, { images: 100 }, { spentUsdSince: 0.99 })).toBeUndefined();
    expect(refusal(quota, { images: 1 }, { spentUsdSince: 1 })).toMatchObject({ limit: 'spendPerDayUsd' });
    expect(refusal(quota, { images: 1 }, { spentUsdSince: 1.5 })!.message).toMatch(/has \$0\.00 left today/);
    // A cap of zero allows no batch, not even a free one.
    expect(refusal({ spendPerDayUsd: 0 }, { images: 1, estimatedImageCostUsd: 0 })).toMatchObject({ limit: 'spendPerDayUsd' });
  });

  it('spendPerDayUsd: a batch that exactly uses up the cap fits, whatever the floating-point noise', () => {
    // 3 × 0.1 is 0.30000000000000004 in doubles, and 0.3 - 0.1 - 0.1 is 0.09999999999999998.
    expect(refusal({ spendPerDayUsd: 0.3 }, { images: 3, estimatedImageCostUsd: 0.1 })).toBeUndefined();
    expect(refusal({ spendPerDayUsd: 0.3 }, { images: 1, estimatedImageCostUsd: 0.1 }, { spentUsdSince: 0.1, pendingEstimateUsd: 0.1 })).toBeUndefined();
    expect(refusal({ spendPerDayUsd: 0.21 }, { images: 3, estimatedImageCostUsd: 0.07 })).toBeUndefined();
    // A real excess, however small in cents, is still refused.
    expect(refusal({ spendPerDayUsd: 0.3 }, { images: 1, estimatedImageCostUsd: 0.1001 }, { spentUsdSince: 0.2 })).toMatchObject({ limit: 'spendPerDayUsd' });
    // What is left is in whole micro-dollars: the batch's own cost cap then lets its last image through.
    expect(remainingSpendUsd({ spendPerDayUsd: 0.3 }, { ...idle, spentUsdSince: 0.1, pendingEstimateUsd: 0.1 })).toBe(0.1);
  });

  it('names the holder: a token speaks of "this API token"', () => {
    const refused = quotaRefusal({ maxBatchImages: 1 }, request({ images: 2 }), idle, now, 'this API token');
    expect(refused!.message).toMatch(/this API token may ask for at most 1/);
    const model = quotaRefusal({ allowedModels: ['demo'] }, request(), idle, now, 'this API token');
    expect(model!.message).toMatch(/^This API token may not use/);
  });
});

describe('quotaRefusal: which limit comes first', () => {
  const everything: Quota = { allowedModels: ['demo'], maxBatchImages: 1, concurrentBatches: 1, imagesPerDay: 1, spendPerDayUsd: 0.01 };
  const busy: Partial<QuotaActivity> = { unfinishedBatches: 5, imagesSince: 5, spentUsdSince: 5 };

  it('never-fits (403) before will-fit-later (429): model, then batch size, then concurrency, then images, then spend', () => {
    const order: (keyof Quota)[] = [];
    let quota: Quota = { ...everything };
    for (;;) {
      const refused = refusal(quota, { images: 2, estimatedImageCostUsd: 1 }, busy);
      if (!refused) break;
      order.push(refused.limit);
      const { [refused.limit]: _lifted, ...rest } = quota;
      quota = rest;
    }
    expect(order).toEqual(['allowedModels', 'maxBatchImages', 'concurrentBatches', 'imagesPerDay', 'spendPerDayUsd']);
  });
});

describe('remainingSpendUsd', () => {
  it('is undefined without a cap, and the cap less spent and pending otherwise (negative when overspent)', () => {
    expect(remainingSpendUsd({}, { ...idle, spentUsdSince: 3 })).toBeUndefined();
    expect(remainingSpendUsd({ spendPerDayUsd: 2 }, { ...idle, spentUsdSince: 0.5, pendingEstimateUsd: 0.25 })).toBeCloseTo(1.25, 10);
    expect(remainingSpendUsd({ spendPerDayUsd: 2 }, { ...idle, spentUsdSince: 3 })).toBeCloseTo(-1, 10);
  });
});

describe('quotaSchema', () => {
  it('takes every limit, and refuses unknown keys, negative or fractional counts', () => {
    const full = { imagesPerDay: 100, concurrentBatches: 2, maxBatchImages: 10, allowedModels: ['demo', 'openai/gpt-image-2.5-flare'], spendPerDayUsd: 1.5 };
    expect(quotaSchema.parse(full)).toEqual(full);
    expect(quotaSchema.parse({})).toEqual({});
    for (const bad of [{ imagesPerDay: 0 }, { imagesPerDay: 1.5 }, { concurrentBatches: -1 }, { spendPerDayUsd: -0.01 }, { allowedModels: [''] }, { imagesPerHour: 3 }]) {
      expect(quotaSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(quotaSchema.parse({ spendPerDayUsd: 0 })).toEqual({ spendPerDayUsd: 0 });
  });
});
