import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import type { GenerateImageOptions } from '@/lib/core';
import { createDemoProvider } from '@/lib/providers/demo';
import { getProvidersCatalog, respondToCancelBatch, respondToCreateBatch, respondToGetBatch, respondToListBatches, type BatchView } from '@/lib/server';
import type { ItemRecord } from '@/lib/store';
import { getRequest, postRequest, readJson, useBatchTestApp, waitForBatchEnd, waitUntil } from './batch-test-helpers';
import { jsonRequest } from './route-test-helpers';

/** A prompt whose provider call is held until it is aborted: keeps a batch running (409s, live streams). */
export const heldPrompt = 'fuzz: held until canceled';

export interface KnownIds {
  /** Completed batches first, then a canceled one, then a running one. */
  batch: string[];
  /** The completed batches' images. */
  image: string[];
}

/**
 * A fresh app for a fuzz run (demo provider, temporary DATA_DIR) with batches to aim at: some
 * completed (their images known; several where DELETE may remove one early), one canceled, one
 * running (its call held until canceled). Calls run four at a time, so the held one blocks nothing.
 */
export async function setUpFuzzApp({ completedBatches = 1 } = {}) {
  const testApp = await useBatchTestApp({ PACING_CONCURRENCY: '4' });
  const demo = createDemoProvider();
  let heldCalls = 0;
  testApp.generateSpy.mockImplementation(async (options: GenerateImageOptions, signal?: AbortSignal) => {
    // At most one call is held at a time, so a retried held batch cannot take every slot.
    if (options.prompt !== heldPrompt || heldCalls > 0 || !signal) return demo.generate(options, signal);
    heldCalls++;
    try {
      return await new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    } finally {
      heldCalls--;
    }
  });
  const runtime = await testApp.runtime();

  // A stream that hangs up must let go of its subscription: count the live ones.
  let liveSubscriptions = 0;
  const subscribe = runtime.queue.subscribe.bind(runtime.queue);
  vi.spyOn(runtime.queue, 'subscribe').mockImplementation((batchId, listener) => {
    liveSubscriptions++;
    const unsubscribe = subscribe(batchId, listener);
    let isDone = false;
    return () => {
      if (!isDone) liveSubscriptions--;
      isDone = true;
      unsubscribe();
    };
  });

  const create = async (body: Record<string, unknown>) => {
    const response = await respondToCreateBatch(jsonRequest('/api/batches', body));
    expect(response.status).toBe(202);
    return readJson<BatchView>(response);
  };
  const completed: BatchView[] = [];
  for (let count = 0; count < completedBatches; count++) {
    const created = await create({ prompt: 'a finished batch', numberOfImages: 2 });
    await waitForBatchEnd(runtime, created.id);
    completed.push(await readJson<BatchView>(await respondToGetBatch(getRequest(`/api/batches/${created.id}`), created.id)));
  }
  const canceled = await create({ prompt: heldPrompt, numberOfImages: 2 });
  await waitUntil(() => heldCalls === 1);
  await respondToCancelBatch(postRequest(`/api/batches/${canceled.id}/cancel`), canceled.id);
  await waitForBatchEnd(runtime, canceled.id);
  const running = await create({ prompt: heldPrompt, numberOfImages: 1 });
  await waitUntil(() => heldCalls === 1);

  const known: KnownIds = {
    batch: [...completed.map((batch) => batch.id), canceled.id, running.id],
    image: completed.flatMap((batch) => batch.items!.map((item) => item.imageId!)),
  };
  return {
    ...testApp,
    runtime,
    known,
    /** Image files on disk (stored outputs and inputs). */
    imageFileCount: async () => (await readdir(join(testApp.dataDirectory, 'images'))).filter((name) => !name.startsWith('.')).length,
    batchCount: async () => (await runtime.store.batches.usage()).batchCount,
    /**
     * Waits until no image is queued and the only one running is the held call: nothing will
     * write a file meanwhile. The fuzzer's own batches are the newest; the held ones are read by id.
     */
    waitForQuietWorker: () =>
      waitUntil(async () => {
        const { batches } = await runtime.store.batches.listBatches({ limit: 100, includeItems: true });
        const held = await Promise.all([canceled.id, running.id].map((id) => runtime.store.batches.getBatch(id)));
        const itemsByBatch = new Map<string, ItemRecord[]>();
        for (const batch of [...batches, ...held]) if (batch) itemsByBatch.set(batch.id, (batch as { items?: ItemRecord[] }).items ?? []);
        const items = [...itemsByBatch.values()].flat();
        return !items.some((item) => item.status === 'queued') && items.filter((item) => item.status === 'running').length === heldCalls;
      }, 5_000),
    liveSubscriptions: () => liveSubscriptions,
  };
}

export type FuzzApp = Awaited<ReturnType<typeof setUpFuzzApp>>;

/** After the storm: a normal batch still goes through, the list and the catalog answer, no stream is left subscribed. */
export async function expectHealthy(app: FuzzApp): Promise<void> {
  const response = await respondToCreateBatch(jsonRequest('/api/batches', { prompt: 'still healthy?', numberOfImages: 2 }));
  expect(response.status).toBe(202);
  const batch = await readJson<BatchView>(response);
  await waitForBatchEnd(app.runtime, batch.id);
  const ended = await readJson<BatchView>(await respondToGetBatch(getRequest(`/api/batches/${batch.id}`), batch.id));
  expect(ended).toMatchObject({ status: 'completed', succeeded: 2 });
  const list = await respondToListBatches(getRequest('/api/batches'));
  expect(list.status).toBe(200);
  expect((await readJson<{ batches: unknown[] }>(list)).batches.length).toBeGreaterThan(0);
  expect(getProvidersCatalog().providers.length).toBeGreaterThan(0);
  await waitUntil(() => app.liveSubscriptions() === 0, 5_000);
}

const statistics = new Map<string, number>();

/** With `FUZZ_STATS=1`, counts what each route answered (status and error, numbers and quotes elided). */
export function tallyFuzzOutcome(method: string, template: string, status: number, error?: string): void {
  if (process.env.FUZZ_STATS !== '1') return;
  const key = `${method} ${template} ${status} ${error?.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 90) ?? ''}`;
  statistics.set(key, (statistics.get(key) ?? 0) + 1);
}

/** Prints the counts (for an `afterAll`): to see what the fuzzer reaches. */
export function printFuzzStatistics(): void {
  if (statistics.size === 0) return;
  const lines = [...statistics].sort(([left], [right]) => left.localeCompare(right)).map(([key, count]) => `${String(count).padStart(5)} ${key}`);
  console.log(lines.join('\n'));
}
