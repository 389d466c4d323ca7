import { describe, expect, it } from 'vitest';
import { quotaSchema } from '@/lib/core/quota';
import { describeQuota, emptyQuotaForm, parseQuotaForm, quotaFormValuesOf } from './quota-form';

describe('parseQuotaForm', () => {
  it('sets no limit for empty fields', () => {
    expect(parseQuotaForm(emptyQuotaForm)).toEqual({ ok: true, quota: {} });
  });

  it('reads every limit, a $ before the amount and spaces in the model list included', () => {
    const parsed = parseQuotaForm({
      imagesPerDay: ' 20 ',
      concurrentBatches: '2',
      maxBatchImages: '8',
      allowedModels: 'demo, openai/gpt-image-2,, demo',
      spendPerDayUsd: '$2.50',
    });
    expect(parsed).toEqual({
      ok: true,
      quota: { imagesPerDay: 20, concurrentBatches: 2, maxBatchImages: 8, allowedModels: ['demo', 'openai/gpt-image-2'], spendPerDayUsd: 2.5 },
    });
    if (parsed.ok) expect(quotaSchema.safeParse(parsed.quota).success).toBe(true);
  });

  it('names each field that is not a limit', () => {
    const parsed = parseQuotaForm({ ...emptyQuotaForm, imagesPerDay: '0', maxBatchImages: '2.5', spendPerDayUsd: 'lots', allowedModels: 'open ai' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(Object.keys(parsed.errors).sort()).toEqual(['allowedModels', 'imagesPerDay', 'maxBatchImages', 'spendPerDayUsd']);
  });
});

describe('quotaFormValuesOf and describeQuota', () => {
  it('round-trips a quota through the form', () => {
    const quota = { imagesPerDay: 5, allowedModels: ['demo'], spendPerDayUsd: 1 };
    expect(parseQuotaForm(quotaFormValuesOf(quota))).toEqual({ ok: true, quota });
  });

  it('says the limits in words', () => {
    expect(describeQuota({})).toBe('No limits');
    expect(describeQuota({ imagesPerDay: 1, concurrentBatches: 2, maxBatchImages: 4, spendPerDayUsd: 3, allowedModels: ['demo'] })).toBe(
      '1 image a day · 2 batches at once · at most 4 per batch · $3.00 a day · models: demo',
    );
  });
});
