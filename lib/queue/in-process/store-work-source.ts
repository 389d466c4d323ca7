import type { BatchStore } from '@/lib/store';
import type { WorkSource } from '../ports';
import { createWakeup } from '../wakeup';

/** The embedded work source: the store's runnable items, polled when woken (or by the safety poll). */
export function createStoreWorkSource(store: BatchStore): WorkSource {
  const wakeup = createWakeup();
  return {
    candidates: (limit) => store.listRunnableItems({ limit }),
    nextDueAtMs: () => store.nextRetryAtMs(),
    announce: () => wakeup.notify(),
    waitForWork: (timeoutMs) => wakeup.wait(timeoutMs),
  };
}
