import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { openStore } from '@/lib/store';
import { isServiceRequired } from '@/lib/store/postgres/testing/test-postgres';
import type { ImageProvider } from '@/lib/core';
import { createControllableProvider, tinyPng } from '../testing/controllable-provider';
import { startQueueHarness } from '../testing/queue-harness';
import { createRedisPorts } from './redis-ports';

const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Redis answers; when not, the suite says so (and fails when REQUIRE_SERVICES names redis). */
async function redisReason(): Promise<string | undefined> {
  const client = new Redis(testRedisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${testRedisUrl} is not reachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    client.disconnect();
  }
}

const unavailable = await redisReason();
if (unavailable) console.warn(`[Redis queue ports] ${isServiceRequired('redis') ? 'FAILS (REQUIRE_SERVICES names redis)' : 'SKIPPED'}: ${unavailable}`);
const newBatch = (prompt: string, count: number) => ({
  prompt,
  mode: 'text-to-image' as const,
  providerId: 'fake',
  modelId: 'fake-model',
  params: { numberOfImages: count },
  items: Array.from({ length: count }, () => ({ prompt })),
});

describe.runIf(unavailable === undefined || isServiceRequired('redis'))('queue ports over Redis: a web process and a worker process act as one', () => {
  it('a batch taken by the web process is run by the worker at once, its events reach the web process live, and a cancel from the web stops the worker’s call', async () => {
    if (unavailable) throw new Error(unavailable);
    const prefix = `imagegen-test-${randomBytes(6).toString('hex')}`;
    const provider = createControllableProvider({ isHolding: true });
    // One data directory (one database) for both, as two processes would share DATABASE_URL.
    const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-redis-'));
    const portStores = [await openStore({ dataDirectory }), await openStore({ dataDirectory })];
    const workerPorts = await createRedisPorts({ url: testRedisUrl, store: portStores[0]!.batches, prefix });
    const webPorts = await createRedisPorts({ url: testRedisUrl, store: portStores[1]!.batches, prefix });
    // The worker's safety poll is a minute away: only the "work" message can wake it in time.
    const workerProcess = await startQueueHarness({ providers: [provider], dataDirectory, isSoleWorker: false, safetyPollIntervalMs: 60_000, ...portsOf(workerPorts) });
    const web = await startQueueHarness({ providers: [provider], dataDirectory, isStarted: false, isSoleWorker: false, ...portsOf(webPorts) });
    try {
      const seenByWeb: string[] = [];
      const batch = await web.queue.enqueue(newBatch('over redis', 3));
      web.queue.subscribe(batch.id, (event) => seenByWeb.push(`${event.type}${'index' in event ? ` ${event.index}` : ''}`));

      await waitFor(() => provider.calls.length === 1);
      await waitFor(() => seenByWeb.includes('item-start 1'));

      provider.releaseAll();
      provider.options.isHolding = true;
      await waitFor(() => seenByWeb.includes('item-end 1') && provider.calls.length === 2);
      const heldCall = provider.calls[1]!;
      expect(heldCall.signal?.aborted).toBe(false);

      // The worker's provider reports a step: the web process hears it live (it is never logged).
      const progressSeenByWeb: string[] = [];
      web.queue.subscribeProgress(batch.id, (progress) => progressSeenByWeb.push(`${progress.index}: ${progress.step}/${progress.totalSteps}`));
      heldCall.request.onProgress?.({ step: 4, totalSteps: 10 });
      await waitFor(() => progressSeenByWeb.length === 1);
      expect(progressSeenByWeb).toEqual(['2: 4/10']);
      expect((await web.store.batches.listEvents(batch.id)).map((event) => event.type)).not.toContain('item-progress');

      // Cancel from the web process: the worker's call in flight is aborted, the rest never starts.
      await web.queue.cancel(batch.id);
      await waitFor(() => heldCall.signal?.aborted === true);
      await web.waitForBatchEnd(batch.id);
      await waitFor(() => seenByWeb.includes('batch-end'));
      const stored = (await web.store.batches.getBatch(batch.id))!;
      expect(stored.items.map((item) => item.status)).toEqual(['succeeded', 'canceled', 'canceled']);
      expect(provider.calls).toHaveLength(2);
    } finally {
      await web.close();
      await workerProcess.close();
      await webPorts.close();
      await workerPorts.close();
      for (const store of portStores) await store.close();
      await rm(dataDirectory, { recursive: true, force: true });
    }
  });
});

describe.runIf(unavailable === undefined || isServiceRequired('redis'))('two worker processes on one database and one Redis', () => {
  it('share the provider lane: never more calls in flight than it allows, both take part, every image made once', async () => {
    if (unavailable) throw new Error(unavailable);
    const prefix = `imagegen-test-${randomBytes(6).toString('hex')}`;
    const calls = { inFlight: 0, max: 0, byProcess: [0, 0] };
    /** The same provider key as each process sees it: counts calls in flight across both. */
    const providerOf = (process: number): ImageProvider => ({
      id: 'fake',
      modelId: 'fake-model',
      isDemo: false,
      async generate() {
        calls.inFlight += 1;
        calls.max = Math.max(calls.max, calls.inFlight);
        calls.byProcess[process]! += 1;
        await new Promise((resolve) => setTimeout(resolve, 25));
        calls.inFlight -= 1;
        return { bytes: tinyPng(), mimeType: 'image/png' };
      },
    }) as unknown as ImageProvider;
    const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-redis-'));
    const portStores = [await openStore({ dataDirectory }), await openStore({ dataDirectory })];
    const ports = [
      await createRedisPorts({ url: testRedisUrl, store: portStores[0]!.batches, prefix }),
      await createRedisPorts({ url: testRedisUrl, store: portStores[1]!.batches, prefix }),
    ];
    const workers = await Promise.all(
      [0, 1].map((process) =>
        startQueueHarness({
          providers: [providerOf(process)],
          dataDirectory,
          isSoleWorker: false,
          ...portsOf(ports[process]!),
          createLaneFor: () => ports[process]!.sharedLane('fake:fake-model', { concurrency: 3, minIntervalMs: 0, burst: 1 }),
        }),
      ),
    );
    try {
      const batch = await workers[0]!.queue.enqueue({
        prompt: 'shared',
        mode: 'text-to-image',
        providerId: 'fake',
        modelId: 'fake-model',
        params: { numberOfImages: 30 },
        items: Array.from({ length: 30 }, () => ({ prompt: 'shared' })),
      });
      await workers[1]!.waitForBatchEnd(batch.id, 30_000);
      const stored = (await workers[1]!.store.batches.getBatch(batch.id))!;
      expect(stored.items.every((item) => item.status === 'succeeded' && item.attempts === 1)).toBe(true);
      expect(new Set(stored.items.map((item) => item.image!.imageId)).size).toBe(30);
      expect(calls.byProcess[0]! + calls.byProcess[1]!).toBe(30);
      expect(calls.max).toBeLessThanOrEqual(3);
      expect(calls.byProcess[0]).toBeGreaterThan(0);
      expect(calls.byProcess[1]).toBeGreaterThan(0);
    } finally {
      for (const worker of workers) await worker.close();
      for (const port of ports) await port.close();
      for (const store of portStores) await store.close();
      await rm(dataDirectory, { recursive: true, force: true });
    }
  });
});

function portsOf(ports: Awaited<ReturnType<typeof createRedisPorts>>) {
  return { bus: ports.bus, cancelSignals: ports.cancelSignals, source: ports.source };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('The condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
