import type { BatchView } from '@/lib/core';

/**
 * `--json`: the classic body of `POST /api/generate`, with each image's file path where the API
 * puts its base64 (and the batch id, to resume it):
 * `{ batchId, images: [{ path, mimeType }], success, failed, errors? }`, or when nothing was made
 * `{ batchId, error: "All image generations failed", details: [{ index, error }] }`.
 */
export function toJsonSummary(batch: BatchView, files: ReadonlyMap<number, string>) {
  const items = [...(batch.items ?? [])].sort((left, right) => left.index - right.index);
  const images = items.flatMap((item) => {
    const path = files.get(item.index);
    return item.status === 'succeeded' && path !== undefined ? [{ path, mimeType: item.mimeType ?? 'application/octet-stream' }] : [];
  });
  const errors = items.flatMap((item) => {
    if (item.status === 'failed') return [{ index: item.index, error: item.error?.message ?? 'Failed', details: item.error?.details ?? item.error?.message ?? 'Failed' }];
    if (item.status === 'canceled') return [{ index: item.index, error: 'Canceled', details: 'The batch was canceled before this image was made.' }];
    return [];
  });
  if (images.length === 0) {
    return { batchId: batch.id, error: 'All image generations failed' as const, details: errors.map(({ index, error }) => ({ index, error })) };
  }
  return { batchId: batch.id, images, success: images.length, failed: errors.length, ...(errors.length > 0 ? { errors } : {}) };
}

/** The closing line: what was made, what was not, where it went. */
export function describeOutcome(batch: BatchView, outDirectory: string): string {
  const parts = [`${batch.succeeded} of ${batch.total} images saved in ${outDirectory}`];
  if (batch.failed > 0) parts.push(`${batch.failed} failed`);
  if (batch.canceled > 0) parts.push(`${batch.canceled} canceled`);
  return `${parts.join(', ')} (batch ${batch.id}, ${batch.status}).`;
}
