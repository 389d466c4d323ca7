import type { ItemError } from '@/lib/core';
import type { BatchEventInput, ItemResult } from '@/lib/store';

/** What `finishItem` records for how an item ended, and the `item-end` event logged with it. */
export interface ItemEnding {
  result: ItemResult;
  event: BatchEventInput;
}

/**
 * The durable form of an outcome: a stored image is referenced by id (the log never holds bytes;
 * the server adds the image's URL when it sends the event), a failure keeps its classified error.
 */
export function toItemEnding(index: number, result: ItemResult, etaMs: number | null): ItemEnding {
  switch (result.status) {
    case 'succeeded': {
      const { imageId, mimeType } = result.image;
      return { result, event: { type: 'item-end', index, status: 'succeeded', imageId, mimeType, etaMs } };
    }
    case 'failed':
      return { result, event: failedEvent(index, result.error, etaMs) };
    case 'canceled':
      return { result, event: { type: 'item-end', index, status: 'canceled', error: 'Canceled', etaMs } };
  }
}

function failedEvent(index: number, error: ItemError, etaMs: number | null): BatchEventInput {
  return { type: 'item-end', index, status: 'failed', kind: error.kind, error: error.message, details: error.details ?? error.message, etaMs };
}

/** An item that failed for a reason of ours, not the provider's (say, a disk that refused the image). */
export function internalError(message: string, cause: unknown): ItemError {
  return { kind: 'internal', message, details: cause instanceof Error ? cause.message : String(cause) };
}
