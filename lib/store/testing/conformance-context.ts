import type { ItemError } from '@/lib/core';
import type { ImageRef } from '../blob-store';
import type { ItemChange, BatchStore, NewBatch } from '../batch-store';
import type { ItemResult } from '../batch-records';

/** What an implementation provides to run the conformance suite against it. */
export interface BatchStoreHarness {
  /**
   * Opens a store on this harness's database. Calling it again opens another, independent store
   * (connection, pool) on the same database: that is how durability is tested.
   */
  open(): Promise<BatchStore>;
  /** Removes the database (the suite closes the stores it opened first). */
  dispose(): Promise<void>;
}

/** Makes a harness with a fresh, empty database; called once per test. */
export type CreateBatchStoreHarness = () => Promise<BatchStoreHarness>;

export interface ConformanceContext {
  /** A store opened for the current test. */
  store: BatchStore;
  /** Opens another store on the same database; the suite closes it after the test. */
  openAnother(): Promise<BatchStore>;
}

export type UseContext = () => ConformanceContext;

export function sampleBatch(overrides: Partial<NewBatch> & { itemCount?: number } = {}): NewBatch {
  const { itemCount = 3, ...rest } = overrides;
  return {
    prompt: 'a lighthouse at dusk',
    mode: 'text-to-image',
    providerId: 'demo',
    modelId: 'demo-1',
    params: { aspectRatio: '16:9', numberOfImages: itemCount },
    items: Array.from({ length: itemCount }, () => ({ prompt: 'a lighthouse at dusk' })),
    ...rest,
  };
}

export function sampleImage(name = '0'): ImageRef {
  return { imageId: `00000000-0000-4000-8000-${name.padStart(12, '0')}.png`, mimeType: 'image/png', byteLength: 1234 };
}

export const sampleError: ItemError = { kind: 'safety_blocked', message: 'Blocked by the safety filter', details: 'IMAGE_SAFETY' };

export const succeeded = (name?: string): ItemResult => ({ status: 'succeeded', image: sampleImage(name) });
export const failed: ItemResult = { status: 'failed', error: sampleError };
export const canceled: ItemResult = { status: 'canceled' };

/** Starts then finishes one item, as a worker would. */
export async function runItem(
  store: BatchStore,
  batchId: string,
  index: number,
  result: ItemResult,
  attemptsInRun = 1,
): Promise<ItemChange> {
  const started = await store.startItem({ batchId, index });
  if (!started) throw new Error(`Item ${index} of ${batchId} could not be started`);
  return store.finishItem({ batchId, index, result, attemptsInRun });
}

/** The promise's rejection, for asserting on a `StoreError`'s kind. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject');
}
