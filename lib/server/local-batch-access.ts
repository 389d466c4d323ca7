import type { ProgressEvent } from '@/lib/core';
import { readBlob } from '@/lib/store';
import { toWireEvent } from './batch-view';
import { followBatchEvents } from './batch-events';
import { getApp } from './create-app';

/**
 * What an in-process client (the `imagegen` command) needs beyond the batch functions of
 * batches.ts: the same event stream and image bytes the HTTP routes serve, without HTTP.
 */

/**
 * The batch's events after `afterSequence`, as `GET /api/batches/:id/events` sends them (each
 * once, in order, image URLs included). Resolves after the batch's `batch-end`, or when `signal`
 * aborts.
 */
export async function followBatch(batchId: string, afterSequence: number, onEvent: (event: ProgressEvent) => void, signal: AbortSignal): Promise<void> {
  const { store, queue } = await getApp().batches();
  await followBatchEvents({ store: store.batches, queue, batchId, afterSequence, send: (event) => onEvent(toWireEvent(event)), signal });
}

/** A stored image's bytes and type, as `GET /api/images/:id` serves them. */
export async function readStoredImage(imageId: string): Promise<{ bytes: Uint8Array; mimeType: string }> {
  const { store } = await getApp().batches();
  return readBlob(store.blobs, imageId);
}
