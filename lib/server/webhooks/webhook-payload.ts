import { roundUsd } from '@/lib/core';
import type { BatchEvent, BatchWithItems } from '@/lib/store';
import { batchUrlOf, imageUrlOf } from '../batch-view';

/** What a completion webhook POSTs: the Standard Webhooks envelope `{ type, timestamp, data }`. */
export interface BatchEndedPayload {
  type: 'batch.ended';
  /** ISO 8601: when the batch ended. */
  timestamp: string;
  data: {
    batchId: string;
    /** `completed`, `partial`, `failed` or `canceled`. */
    status: string;
    /** The `batch-end`'s sequence in the batch's event log: a retried batch ends again with a higher one. */
    sequence: number;
    total: number;
    succeeded: number;
    failed: number;
    canceled: number;
    /** USD. */
    costUsd: number;
    /** The batch in the API (absolute when the batch's origin is known). */
    url: string;
    images: { index: number; prompt: string; url: string; mimeType: string }[];
    errors: { index: number; kind: string; message: string }[];
  };
}

/**
 * The summary of one end of a batch: status and counts as its `batch-end` logged them, images and
 * errors from its items, URLs absolute on the origin stored with the batch (PUBLIC_URL, else the
 * origin of the request that created it).
 */
export function toBatchEndedPayload(batch: BatchWithItems, batchEnd: BatchEvent & { type: 'batch-end' }, endedAt: string): BatchEndedPayload {
  const absolute = (path: string) => (batch.params.publicOrigin ? new URL(path, batch.params.publicOrigin).toString() : path);
  return {
    type: 'batch.ended',
    timestamp: endedAt,
    data: {
      batchId: batch.id,
      status: batchEnd.status,
      sequence: batchEnd.sequence,
      total: batchEnd.total,
      succeeded: batchEnd.completed,
      failed: batchEnd.failed,
      canceled: batchEnd.total - batchEnd.completed - batchEnd.failed,
      costUsd: roundUsd(batch.costUsd),
      url: absolute(batchUrlOf(batch.id)),
      images: batch.items.flatMap((item) =>
        item.image ? [{ index: item.index, prompt: item.prompt, url: absolute(imageUrlOf(item.image.imageId)), mimeType: item.image.mimeType }] : [],
      ),
      errors: batch.items.flatMap((item) => (item.status === 'failed' && item.error ? [{ index: item.index, kind: item.error.kind, message: item.error.message }] : [])),
    },
  };
}
