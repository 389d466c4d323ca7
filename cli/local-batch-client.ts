import { isConfigError } from '@/lib/core';
import {
  cancelBatch,
  createBatch,
  followBatch,
  getApp,
  getBatch,
  isInputError,
  parseBatchRequest,
  readStoredImage,
  retryBatch,
  storeErrorKindOf,
  type Principal,
} from '@/lib/server';
import type { BatchClient } from './batch-client';
import { toBatchRequest } from './batch-request';
import { UsageError, usageErrorFromField } from './usage-error';

/** The person at this machine, as the server sees requests from it when it has no accounts. */
const localPerson: Principal = { kind: 'local' };

/**
 * The batch API in this process: the server's own functions on the same configuration
 * (environment) and the same DATA_DIR, the engine's worker running here. Batches made this way are
 * ordinary batches: the web gallery shows them.
 */
export function createLocalBatchClient(): BatchClient {
  const app = (() => {
    try {
      // A server may run on the same DATA_DIR: never take over its running items.
      return getApp({ sharesDataDirectory: true });
    } catch (error) {
      throw asUsageError(error);
    }
  })();
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw asUsageError(error);
    }
  };
  return {
    location: `DATA_DIR ${app.config.DATA_DIR}`,
    create: (form) => call(async () => createBatch(localPerson, await parseBatchRequest(toBatchRequest(form)))),
    get: (batchId) => call(() => getBatch(localPerson, batchId)),
    retry: (batchId) => call(async () => (await retryBatch(localPerson, batchId)).batch),
    cancel: (batchId) => call(async () => void (await cancelBatch(localPerson, batchId))),
    follow: (batchId, afterSequence, onEvent, signal) => followBatch(batchId, afterSequence, onEvent, signal),
    readImage: (imageId) => readStoredImage(imageId),
    close: () => app.close(),
  };
}

/** What the API would answer 400 (or 404 for a batch) is the command's bad usage; the rest stays an error. */
function asUsageError(error: unknown): unknown {
  if (isInputError(error)) return usageErrorFromField(error.message, error.field);
  if (isConfigError(error)) return new UsageError(`The environment needs fixing: ${error.message}`);
  if (storeErrorKindOf(error) === 'not_found' || storeErrorKindOf(error) === 'invalid_id') return new UsageError('No batch with this id here (check DATA_DIR).');
  return error;
}
