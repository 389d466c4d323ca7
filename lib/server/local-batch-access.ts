import type { ProgressEvent } from '@/lib/core';
import type { BatchEventListener, BatchQueue } from '@/lib/queue';
import { readBlob, type BatchStore } from '@/lib/store';
import { toWireEvent } from './batch-view';
import { followBatchEvents } from './batch-events';
import { getApp } from './create-app';

/**
 * What an in-process client (the `imagegen` command) needs beyond the batch functions of
 * batches.ts: the same event stream and image bytes the HTTP routes serve, without HTTP.
 */

/** How often the durable log is read for events this process's bus did not carry. */
const logPollIntervalMs = 1_000;

/**
 * The batch's events after `afterSequence`, as `GET /api/batches/:id/events` sends them (each
 * once, in order, image URLs included). Resolves after the batch's `batch-end`, or when `signal`
 * aborts.
 */
export async function followBatch(batchId: string, afterSequence: number, onEvent: (event: ProgressEvent) => void, signal: AbortSignal): Promise<void> {
  const { store, queue } = await getApp().batches();
  await followBatchEvents({
    store: store.batches,
    queue: withLoggedEvents(queue, store.batches),
    batchId,
    afterSequence,
    send: (event) => onEvent(toWireEvent(event)),
    signal,
  });
}

/**
 * The queue's live events, plus those another process's worker logged on the same DATA_DIR (a
 * server started meanwhile may take this batch's items: its events reach only its own bus), read
 * from the durable log every `pollIntervalMs`. Repeats are harmless: followers send each sequence once.
 */
export function withLoggedEvents(queue: Pick<BatchQueue, 'subscribe'>, store: Pick<BatchStore, 'listEvents'>, pollIntervalMs = logPollIntervalMs): Pick<BatchQueue, 'subscribe'> {
  return {
    subscribe(batchId: string, listener: BatchEventListener) {
      let lastSeen = 0;
      const hear: BatchEventListener = (event) => {
        lastSeen = Math.max(lastSeen, event.sequence);
        listener(event);
      };
      const unsubscribe = queue.subscribe(batchId, hear);
      const poll = setInterval(() => {
        store.listEvents(batchId, { afterSequence: lastSeen, limit: 1_000 }).then((events) => events.forEach(hear), () => undefined);
      }, pollIntervalMs);
      poll.unref?.();
      return () => {
        clearInterval(poll);
        unsubscribe();
      };
    },
  };
}

/** A stored image's bytes and type, as `GET /api/images/:id` serves them. */
export async function readStoredImage(imageId: string): Promise<{ bytes: Uint8Array; mimeType: string }> {
  const { store } = await getApp().batches();
  return readBlob(store.blobs, imageId);
}
