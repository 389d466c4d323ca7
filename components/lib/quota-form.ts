import type { Quota } from '@/lib/core/quota';

/** A quota as a form holds it: one text per limit, empty for "no limit". */
export interface QuotaFormValues {
  imagesPerDay: string;
  concurrentBatches: string;
  maxBatchImages: string;
  /** A comma list: `demo, openai/gpt-image-2`. */
  allowedModels: string;
  spendPerDayUsd: string;
}

export type QuotaField = keyof QuotaFormValues;
export type QuotaErrors = Partial<Record<QuotaField, string>>;
export type QuotaParse = { ok: true; quota: Quota } | { ok: false; errors: QuotaErrors };

export const emptyQuotaForm: QuotaFormValues = { imagesPerDay: '', concurrentBatches: '', maxBatchImages: '', allowedModels: '', spendPerDayUsd: '' };

/** Each limit's label, for the form and its messages. */
export const quotaLabels: Record<QuotaField, string> = {
  imagesPerDay: 'Images per day',
  concurrentBatches: 'Batches at once',
  maxBatchImages: 'Largest batch',
  allowedModels: 'Allowed models (demo, openai/gpt-image-2, …)',
  spendPerDayUsd: 'Spend per day (USD)',
};

const wholeFields = ['imagesPerDay', 'concurrentBatches', 'maxBatchImages'] as const;

/** The form's texts as a quota (empty fields set no limit), or a message per field that is not a limit. */
export function parseQuotaForm(values: QuotaFormValues): QuotaParse {
  const quota: Quota = {};
  const errors: QuotaErrors = {};
  for (const field of wholeFields) {
    const text = values[field].trim();
    if (text === '') continue;
    const number = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < 1) errors[field] = `${quotaLabels[field]}: a whole number of 1 or more, or empty for no limit.`;
    else quota[field] = number;
  }
  const spend = values.spendPerDayUsd.trim().replace(/^\$/, '');
  if (spend !== '') {
    const number = Number(spend);
    if (!/^\d+(\.\d+)?$/.test(spend) || number > 1_000_000) errors.spendPerDayUsd = 'Spend per day: an amount in US dollars such as 5 or 2.50, or empty for no limit.';
    else quota.spendPerDayUsd = number;
  }
  const models = values.allowedModels
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (models.length > 0) {
    if (models.some((entry) => entry.length > 200 || /\s/.test(entry))) {
      errors.allowedModels = 'Allowed models: providers or provider/model names, separated by commas (demo, openai/gpt-image-2).';
    } else quota.allowedModels = [...new Set(models)];
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, quota };
}

/** A quota as the form's texts (to edit it). */
export function quotaFormValuesOf(quota: Quota): QuotaFormValues {
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  return {
    imagesPerDay: text(quota.imagesPerDay),
    concurrentBatches: text(quota.concurrentBatches),
    maxBatchImages: text(quota.maxBatchImages),
    allowedModels: quota.allowedModels?.join(', ') ?? '',
    spendPerDayUsd: text(quota.spendPerDayUsd),
  };
}

/** One line a person reads: "20 images a day · 2 batches at once · models: demo", or "No limits". */
export function describeQuota(quota: Quota): string {
  const parts: string[] = [];
  if (quota.imagesPerDay !== undefined) parts.push(`${quota.imagesPerDay} ${quota.imagesPerDay === 1 ? 'image' : 'images'} a day`);
  if (quota.concurrentBatches !== undefined) parts.push(`${quota.concurrentBatches} ${quota.concurrentBatches === 1 ? 'batch' : 'batches'} at once`);
  if (quota.maxBatchImages !== undefined) parts.push(`at most ${quota.maxBatchImages} per batch`);
  if (quota.spendPerDayUsd !== undefined) parts.push(`$${quota.spendPerDayUsd.toFixed(2)} a day`);
  if (quota.allowedModels !== undefined) parts.push(`models: ${quota.allowedModels.length === 0 ? 'none' : quota.allowedModels.join(', ')}`);
  return parts.length === 0 ? 'No limits' : parts.join(' · ');
}
