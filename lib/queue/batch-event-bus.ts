import type { BatchEvent } from '@/lib/store';

export type BatchEventListener = (event: BatchEvent) => void;

/**
 * In-process fan-out of logged batch events to live listeners (SSE streams). Events are published
 * after they are committed to the durable log, in sequence order per batch; a listener that
 * throws is ignored (one broken stream must not stop the others, nor the worker).
 */
export interface BatchEventBus {
  publish(event: BatchEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(batchId: string, listener: BatchEventListener): () => void;
  /** Listeners currently subscribed to a batch (for tests and diagnostics). */
  listenerCount(batchId: string): number;
}

export function createBatchEventBus(): BatchEventBus {
  const listenersByBatch = new Map<string, Set<BatchEventListener>>();
  return {
    publish(event) {
      for (const listener of [...(listenersByBatch.get(event.batchId) ?? [])]) {
        try {
          listener(event);
        } catch {
          // Deliberately ignored: see the interface.
        }
      }
    },
    subscribe(batchId, listener) {
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
    listenerCount: (batchId) => listenersByBatch.get(batchId)?.size ?? 0,
  };
}
