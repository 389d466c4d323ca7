import { readFileSync, writeFileSync } from 'node:fs';
import { isFinishedStatus } from '@/lib/queue';
import { getApp, respondToBatchZip } from '@/lib/server';

/**
 * Runs in its own process (see memory.ts), so its RSS is the app's alone: the durable path of
 * POST /api/batches (queue + store, one batch of BENCH_IMAGES images from the simulator), then
 * GET /api/batches/:id/zip through its handler, read to the end and thrown away. Prints one JSON line.
 * Peak RSS is the kernel's high-water mark (VmHWM), reset before each phase (clear_refs).
 */

const images = Number(process.env.BENCH_IMAGES ?? 500);

function memoryKb(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

/** Starts a fresh high-water mark; resolves the RSS it starts from. */
function resetPeak(): number {
  writeFileSync('/proc/self/clear_refs', '5');
  return memoryKb('VmRSS');
}

async function runBatchToEnd(count: number): Promise<string> {
  const app = getApp();
  const { queue, store } = await app.batches();
  const provider = app.resolveProvider();
  const batch = await queue.enqueue({
    prompt: 'a lighthouse at dusk',
    mode: 'text-to-image',
    providerId: provider.id,
    modelId: provider.modelId,
    params: { numberOfImages: count },
    items: Array.from({ length: count }, () => ({ prompt: 'a lighthouse at dusk' })),
  });
  for (let waitedMs = 0; waitedMs < 600_000; waitedMs += 200) {
    const current = await store.batches.getBatch(batch.id);
    if (current && isFinishedStatus(current.status)) {
      if (current.succeeded !== count) throw new Error(`batch ended ${current.status} with ${current.succeeded}/${count} images`);
      return batch.id;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('batch did not end within 10 minutes');
}

async function downloadZip(batchId: string): Promise<number> {
  const response = await respondToBatchZip(new Request(`http://127.0.0.1/api/batches/${batchId}/zip`), batchId);
  if (!response.ok || !response.body) throw new Error(`ZIP answered ${response.status}`);
  const reader = response.body.getReader();
  let bytes = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
  return bytes;
}

await runBatchToEnd(8); // warm-up: SDK, SQLite statements, blob store paths
const batchBaselineKb = resetPeak();
const batchStartedAtMs = performance.now();
const batchId = await runBatchToEnd(images);
const batchMs = performance.now() - batchStartedAtMs;
const batchPeakKb = memoryKb('VmHWM');

const zipBaselineKb = resetPeak();
const zipStartedAtMs = performance.now();
const zipBytes = await downloadZip(batchId);
const zipMs = performance.now() - zipStartedAtMs;
const zipPeakKb = memoryKb('VmHWM');

await getApp().close();
console.log(
  JSON.stringify({
    images,
    batchBaselineMb: batchBaselineKb / 1024,
    batchPeakGrowthMb: (batchPeakKb - batchBaselineKb) / 1024,
    batchMs,
    zipBaselineMb: zipBaselineKb / 1024,
    zipPeakGrowthMb: (zipPeakKb - zipBaselineKb) / 1024,
    zipBytes,
    zipMs,
  }),
);
