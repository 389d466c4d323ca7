import { getApp } from './create-app';
import { logEvent } from './logger';

/**
 * Opens the store and starts the queue's worker at server start-up, so batches left queued or
 * interrupted by a restart resume without waiting for a request. Never throws: a failure (bad
 * config, unwritable DATA_DIR) is logged, and the batch API reports it on first use.
 */
export async function startBatchWorker(): Promise<void> {
  try {
    await getApp().batches();
  } catch (error) {
    logEvent('queue-start-error', { message: error instanceof Error ? error.message : String(error) });
  }
}
