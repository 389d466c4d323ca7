import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageProvider } from '@/lib/core';
import { createPacedLane, runBatch } from '@/lib/engine';
import { createDemoProvider } from '@/lib/providers';
import { createBatchQueue, isFinishedStatus } from '@/lib/queue';
import { openStore } from '@/lib/store';

/**
 * What the engine costs per image, the provider taking no time: 1,000 images through `runBatch`
 * on an unthrottled lane (fixed, 16 in flight, no spacing), with progress events on.
 * - `instant`: a provider that returns a constant 2x2 PNG: the engine alone (lane, retry loop, events).
 * - `demo`: the offline demo provider at zero latency (it draws each picture with sharp).
 */

export interface EngineOverheadResult {
  provider: 'instant' | 'demo' | 'queue';
  images: number;
  wallMs: number;
  microsecondsPerImage: number;
  events: number;
}

const png = new Uint8Array(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEUlEQVQImWP4z8DwH4QZYAwAR8oH+Xm0fdIAAAAASUVORK5CYII=', 'base64'));

const instantProvider: ImageProvider = {
  id: 'instant',
  modelId: 'instant',
  isDemo: true,
  generate: async () => ({ bytes: png, mimeType: 'image/png' }),
};

export async function runEngineOverhead(which: 'instant' | 'demo', images = 1_000): Promise<EngineOverheadResult> {
  const provider = which === 'instant' ? instantProvider : createDemoProvider();
  const requests = Array.from({ length: images }, (_, offset) => ({ prompt: 'a lighthouse at dusk', index: offset + 1 }));
  const lane = () => createPacedLane({ mode: 'fixed', concurrency: 16, minIntervalMs: 0, maxConcurrency: 16 });
  // Warm-up (module loading, JIT, sharp's first call), not measured.
  await runBatch({ batchId: 'warm-up', provider, requests: requests.slice(0, 20), lane: lane() });
  let events = 0;
  const startedAtMs = performance.now();
  const result = await runBatch({ batchId: 'overhead', provider, requests, lane: lane(), onEvent: () => (events += 1) });
  const wallMs = performance.now() - startedAtMs;
  if (result.items.some((item) => item.status !== 'succeeded')) throw new Error('engine overhead run lost images');
  return { provider: which, images, wallMs, microsecondsPerImage: (wallMs * 1_000) / images, events };
}

/**
 * The durable path's cost per image with the instant provider: the in-process queue on the SQLite
 * store (a journal of progress events) and the file blob store (each image written and fsync'd).
 */
export async function runQueueOverhead(images = 1_000): Promise<EngineOverheadResult> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-bench-'));
  const store = await openStore({ dataDirectory });
  const lane = createPacedLane({ mode: 'fixed', concurrency: 16, minIntervalMs: 0, maxConcurrency: 16 });
  const queue = createBatchQueue({ store: store.batches, blobs: store.blobs, resolveModel: () => ({ provider: instantProvider, model: {} }), laneFor: () => lane });
  try {
    await queue.start();
    const run = async (count: number) => {
      const batch = await queue.enqueue({
        prompt: 'a lighthouse at dusk',
        mode: 'text-to-image',
        providerId: instantProvider.id,
        modelId: instantProvider.modelId,
        params: { numberOfImages: count },
        items: Array.from({ length: count }, () => ({ prompt: 'a lighthouse at dusk' })),
      });
      for (let waitedMs = 0; waitedMs < 300_000; waitedMs += 20) {
        const current = await store.batches.getBatch(batch.id);
        if (current && isFinishedStatus(current.status)) return current;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('queue overhead batch did not end');
    };
    await run(20);
    const startedAtMs = performance.now();
    const batch = await run(images);
    const wallMs = performance.now() - startedAtMs;
    if (batch.succeeded !== images) throw new Error(`queue overhead run ended with ${batch.succeeded}/${images}`);
    const events = (await store.batches.listEvents(batch.id, { limit: 10_000 })).length;
    return { provider: 'queue', images, wallMs, microsecondsPerImage: (wallMs * 1_000) / images, events };
  } finally {
    await queue.stop();
    await store.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
}
