import type { ItemProgressEvent } from '@/lib/core';
import type { BatchEvent } from '@/lib/store';

export type BatchEventListener = (event: BatchEvent) => void;
export type ItemProgressListener = (progress: ItemProgressEvent) => void;

/**
 * In-process fan-out of logged batch events to live listeners (SSE streams). Events are published
 * after they are committed to the durable log, in sequence order per batch; a listener that
 * throws is ignored (one broken stream must not stop the others, nor the worker).
 *
 * Step progress of running items travels on the same bus but apart: it is never logged (a
 * 30-step image would write 30 rows), so it has no sequence and only reaches who listens now.
 */
export interface BatchEventBus {
  publish(event: BatchEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(batchId: string, listener: BatchEventListener): () => void;
  /** Listeners currently subscribed to a batch (for tests and diagnostics). */
  listenerCount(batchId: string): number;
  publishProgress(progress: ItemProgressEvent): void;
  /** Returns the function that unsubscribes. */
  subscribeProgress(batchId: string, listener: ItemProgressListener): () => void;
}

/** Listeners per batch id; a listener that throws is skipped. */
function createFanOut<T extends { batchId: string }>() {
  const listenersByBatch = new Map<string, Set<(message: T) => void>>();
  return {
    publish(message: T) {
      for (const listener of [...(listenersByBatch.get(message.batchId) ?? [])]) {
        try {
          listener(message);
        } catch {
          // Deliberately ignored: see BatchEventBus.
        }
      }
    },
    subscribe(batchId: string, listener: (message: T) => void) {
      let listeners = listenersByBatch.get(batchId);
      if (!listeners) {
        listeners = new Set();
        listenersByBatch.set(batchId, listeners);
      }
      listeners.add(listener);
      return () => {
        const current = listenersByBatch.get(batchId);
        current?.delete(listener);
        if (current?.size === 0) listenersByBatch.delete(batchId);
      };
    },
    listenerCount: (batchId: string) => listenersByBatch.get(batchId)?.size ?? 0,
  };
}

export function createBatchEventBus(): BatchEventBus {
  const events = createFanOut<BatchEvent>();
  const progress = createFanOut<ItemProgressEvent>();
  return {
    publish: events.publish,
    subscribe: events.subscribe,
    listenerCount: events.listenerCount,
    publishProgress: progress.publish,
    subscribeProgress: progress.subscribe,
  };
}
