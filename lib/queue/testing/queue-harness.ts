import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { ImageProvider } from '@/lib/core';
import { createLane, type Lane, type LaneOptions } from '@/lib/engine';
import { openStore, type BatchEvent, type NewBatch, type Store } from '@/lib/store';
import type { BlobStore } from '@/lib/store';
import { createBatchQueue, isFinishedStatus, type BatchQueue, type BatchQueueOptions } from '..';

export interface QueueHarness {
  store: Store;
  queue: BatchQueue;
  dataDirectory: string;
  lanes: Map<string, Lane>;
  /** Resolves once the batch has ended and its `batch-end` is logged. */
  waitForBatchEnd(batchId: string, timeoutMs?: number): Promise<void>;
  /** The batch's whole event log. */
  events(batchId: string): Promise<BatchEvent[]>;
  /** Stops the queue and closes the store (also done when the test finishes). */
  close(): Promise<void>;
}

export interface QueueHarnessOptions extends Partial<Omit<BatchQueueOptions, 'store' | 'blobs' | 'resolveModel' | 'laneFor'>> {
  providers: ImageProvider[];
  /** @default { concurrency: 1, minIntervalMs: 0 } */
  lane?: Partial<LaneOptions>;
  /** Reuse a data directory (a "restart"); a fresh temporary one otherwise. */
  dataDirectory?: string;
  /** @default true */
  isStarted?: boolean;
  /** Makes the provider's lane (a lane shared with other "processes"). @default a fresh in-process lane per provider */
  createLaneFor?: (provider: ImageProvider) => Lane;
  /** Wraps the real blob store (fault injection: a full disk). @default the store as is */
  wrapBlobs?: (blobs: BlobStore) => BlobStore;
}

/** A queue on a real SQLite store in a temporary data directory, removed when the test finishes. */
export async function startQueueHarness({
  providers,
  lane: laneOptions = {},
  dataDirectory: reusedDirectory,
  isStarted = true,
  wrapBlobs = (blobs) => blobs,
  createLaneFor,
  ...queueOptions
}: QueueHarnessOptions): Promise<QueueHarness> {
  const dataDirectory = reusedDirectory ?? (await mkdtemp(join(tmpdir(), 'imagegen-queue-')));
  const store = await openStore({ dataDirectory });
  const lanes = new Map<string, Lane>();
  const queue = createBatchQueue({
    store: store.batches,
    blobs: wrapBlobs(store.blobs),
    resolveModel(providerId) {
      const provider = providers.find((candidate) => candidate.id === providerId);
      if (!provider) throw new Error(`Provider "${providerId}" is not configured`);
      return { provider, model: {} };
    },
    laneFor(provider) {
      let lane = lanes.get(provider.id);
      if (!lane) lanes.set(provider.id, (lane = createLaneFor?.(provider) ?? createLane({ concurrency: 1, minIntervalMs: 0, ...laneOptions })));
      return lane;
    },
    retryPolicy: { maxAttempts: 1, baseDelayMs: 0 },
    safetyPollIntervalMs: 60_000,
    ...queueOptions,
  });
  if (isStarted) await queue.start();

  let isClosed = false;
  const close = async () => {
    if (isClosed) return;
    isClosed = true;
    await queue.stop();
    await store.close();
  };
  onTestFinished(async () => {
    await close();
    if (!reusedDirectory) await rm(dataDirectory, { recursive: true, force: true });
  });

  const events = async (batchId: string) => store.batches.listEvents(batchId, { limit: 10_000 });
  return {
    store,
    queue,
    dataDirectory,
    lanes,
    events,
    close,
    async waitForBatchEnd(batchId, timeoutMs = 10_000) {
      const isEnded = async () => {
        const batch = await store.batches.getBatch(batchId);
        return batch !== undefined && isFinishedStatus(batch.status) && (await events(batchId)).at(-1)?.type === 'batch-end';
      };
      const deadline = Date.now() + timeoutMs;
      while (!(await isEnded())) {
        if (Date.now() > deadline) {
          // Say where it stands, so a rare failure (seen once under load) can be understood from the log.
          const batch = await store.batches.getBatch(batchId);
          const items = batch?.items.map(({ index, status, attempts, notBeforeMs }) => ({ index, status, attempts, notBeforeMs }));
          const logged = (await events(batchId)).map((event) => event.type);
          throw new Error(
            `Batch ${batchId} did not end within ${timeoutMs} ms: ${batch?.status}, items ${JSON.stringify(items)}, ` +
              `events ${logged.join(' ')}, now ${Date.now()}, next retry at ${await store.batches.nextRetryAtMs()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

/** A text-to-image batch of `count` items on this provider. */
export function newBatch(providerId: string, count: number, prompt = 'a lighthouse at dusk'): NewBatch {
  return {
    prompt,
    mode: 'text-to-image',
    providerId,
    modelId: `${providerId}-model`,
    params: { numberOfImages: count },
    items: Array.from({ length: count }, () => ({ prompt })),
  };
}
