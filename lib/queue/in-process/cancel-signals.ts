import type { CancelSignals } from '../ports';

/** Cancels within this process: the queue's cancel reaches this process's worker. */
export function createInProcessCancelSignals(): CancelSignals {
  const listeners = new Set<(batchId: string) => void>();
  return {
    cancel(batchId) {
      for (const listener of [...listeners]) listener(batchId);
    },
    onCancel(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
