import { describe, expect, it, onTestFinished } from 'vitest';
import { startProviderSimulator } from '@/lib/providers/testing';
import { checkTestPostgres, isServiceRequired } from '@/lib/store/postgres/testing/test-postgres';
import type { BatchView } from './batch-view';
import { createSseReader, type SseFrame } from './testing/batch-test-helpers';
import { checkTestRedis, startClusterProcess, startClusterServices, type ClusterProcess, type ClusterServices } from './testing/cluster';

/**
 * Issue 12's multi-process test: 2 web processes (WORKER=off) and 2 worker processes (`npm run
 * worker`), each a real Node process, on one fresh PostgreSQL database, one Redis (a key prefix of
 * this test's own) and one S3 bucket (s3rver, a real S3-compatible server in a child process). The
 * provider is the Gemini wire simulator in this process, with a quota of PACING_CONCURRENCY calls in
 * flight: one more and it answers 429 RESOURCE_EXHAUSTED, as Gemini does. Each worker calls it with
 * a key string of its own, so the simulator can tell whose calls are in flight; the lane is per
 * provider and model, so the two workers still share one.
 *
 * A 60-image batch is created through web A and followed through web B's SSE stream; worker 1 is
 * `kill -9`ed while calls of its own are in flight. Leases are short (QUEUE_LEASE_MS,
 * LANE_SLOT_LEASE_MS) so that worker 2 takes over within seconds.
 */

const concurrency = 4;
const images = 60;
const latencyMs = 250;

const postgres = await checkTestPostgres();
const redis = await checkTestRedis();
const missing = [
  ...(postgres.isAvailable ? [] : [{ service: 'postgres', reason: postgres.reason }]),
  ...(redis === undefined ? [] : [{ service: 'redis', reason: redis }]),
];
const required = missing.filter(({ service }) => isServiceRequired(service));
for (const { service, reason } of missing) {
  console.warn(`[multi-process cluster] ${isServiceRequired(service) ? `FAILS (REQUIRE_SERVICES names ${service})` : 'SKIPPED'}: ${reason}`);
}
const suiteName = '2 web + 2 worker processes on PostgreSQL, Redis and S3';

if (required.length > 0) {
  describe(suiteName, () => {
    it(`needs ${required.map(({ service }) => service).join(' and ')} (REQUIRE_SERVICES)`, () => {
      throw new Error(required.map(({ reason }) => reason).join('; '));
    });
  });
} else {
  describe.skipIf(missing.length > 0)(missing.length > 0 ? `${suiteName} (skipped: ${missing.map(({ reason }) => reason).join('; ')})` : suiteName, () => {
    it(
      'a 60-image batch made through web A, followed on web B, survives a worker killed mid-batch: every image once, never more in flight than the lane, no 429',
      { timeout: 240_000 },
      async () => {
        const startedAtMs = Date.now();
        const simulator = await startProviderSimulator({
          wire: 'gemini',
          quota: { maxConcurrent: concurrency },
          latency: { kind: 'fixed', ms: latencyMs },
        });
        let services: ClusterServices | undefined;
        const processes: ClusterProcess[] = [];
        onTestFinished(async () => {
          await Promise.all(processes.map((child) => child.killHard()));
          await simulator.close();
          await services?.stop();
        });
        services = await startClusterServices();
        const env = (geminiKey: string) => ({
          ...services!.env,
          IMAGE_PROVIDER: 'gemini',
          GEMINI_API_KEY: geminiKey,
          GEMINI_BASE_URL: simulator.baseUrl,
          PACING_MODE: 'fixed',
          PACING_CONCURRENCY: String(concurrency),
          PACING_MIN_INTERVAL_MS: '0',
          RETRY_BASE_DELAY_MS: '100',
          // A dead worker's items go back to the queue 3 s after its last renewal, its lane slots too.
          QUEUE_LEASE_MS: '3000',
          QUEUE_SAFETY_POLL_MS: '500',
          LANE_SLOT_LEASE_MS: '3000',
        });
        // All four at once: the migrations run under an advisory lock, whoever comes first.
        const [webA, webB, worker1, worker2] = await Promise.all([
          startClusterProcess('web', 'web A', env('web-a-key')),
          startClusterProcess('web', 'web B', env('web-b-key')),
          startClusterProcess('worker', 'worker 1', env('worker-1-key')),
          startClusterProcess('worker', 'worker 2', env('worker-2-key')),
        ]);
        processes.push(webA!, webB!, worker1!, worker2!);
        const readyAtMs = Date.now();
        const diagnostics = () =>
          [
            `simulator: ${JSON.stringify(simulator.stats())}`,
            ...processes.map((child) => `--- ${child.name} (${child.isRunning() ? 'running' : 'exited'}):\n${child.output().split('\n').slice(-30).join('\n')}`),
          ].join('\n');

        const created = await fetch(`${webA!.baseUrl}/api/batches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'a lighthouse, one of sixty', numberOfImages: images }),
        });
        expect(created.status, await diagnosticsOnFailure(created, diagnostics)).toBe(202);
        const { id } = (await created.json()) as BatchView;

        // Web B follows the batch from its first event; it runs no worker, so every event it shows
        // came over Redis (or from the shared log).
        const stream = await fetch(`${webB!.baseUrl}/api/batches/${id}/events`, { headers: { accept: 'text/event-stream' } });
        expect(stream.status).toBe(200);
        const reader = createSseReader(stream);
        const frames: SseFrame[] = [];
        const followed = (async () => {
          for (let frame = await reader.next(); frame; frame = await reader.next()) frames.push(frame);
        })();

        // Kill worker 1 a quarter of the way in, while the simulator holds calls of its own: checked
        // and killed in one synchronous step, so none of those calls can have been answered between.
        let killedInFlight = 0;
        await waitUntil(
          () => {
            const ended = frames.filter((frame) => frame.event === 'item-end').length;
            const inFlight = simulator.stats().byKey['worker-1-key']?.inFlight ?? 0;
            if (ended < images / 4 || inFlight === 0) return false;
            killedInFlight = inFlight;
            worker1!.child.kill('SIGKILL');
            return true;
          },
          30_000,
          () => `worker 1 never had a call in flight a quarter of the way in\n${diagnostics()}`,
        );
        const killedAtMs = Date.now();
        const batchTimeBeforeKillMs = killedAtMs - readyAtMs;
        const worker1CallsAtKill = simulator.stats().byKey['worker-1-key']!.requests;
        await worker1!.killHard();

        await withTimeout(followed, 45_000, () => `web B's stream did not end\n${diagnostics()}`);
        const finishedAtMs = Date.now();

        // B's stream: the whole log, 1 … n without a gap or a repeat, from batch-start to batch-end.
        expect(frames.map((frame) => Number(frame.id))).toEqual(frames.map((_, position) => position + 1));
        expect(frames.map((frame) => frame.data.sequence)).toEqual(frames.map((_, position) => position + 1));
        expect(frames[0]!.data.type).toBe('batch-start');
        expect(frames.at(-1)!.data).toMatchObject({ type: 'batch-end', status: 'completed', completed: images, failed: 0 });
        expect(frames.filter((frame) => frame.event === 'batch-end')).toHaveLength(1);
        // Each item ended once, succeeded, with an image of its own.
        const itemEnds = frames.flatMap((frame) => (frame.data.type === 'item-end' ? [frame.data] : []));
        expect(itemEnds.map((event) => event.index).sort((left, right) => left - right)).toEqual(range(images));
        expect(itemEnds.every((event) => event.status === 'succeeded' && event.imageId)).toBe(true);
        const imageIds = new Set(itemEnds.map((event) => event.imageId!));
        expect(imageIds.size).toBe(images);
        // No item-retry: nothing was refused or failed.
        expect(frames.filter((frame) => frame.event === 'item-retry')).toEqual([]);

        // The database agrees (read through web A), and each image is served from the bucket.
        const batch = (await (await fetch(`${webA!.baseUrl}/api/batches/${id}`)).json()) as BatchView;
        expect(batch).toMatchObject({ status: 'completed', succeeded: images, failed: 0, canceled: 0 });
        expect(new Set(batch.items!.map((item) => item.imageId))).toEqual(imageIds);
        for (const imageId of imageIds) {
          const image = await fetch(`${webB!.baseUrl}/api/images/${imageId}`);
          expect(image.status).toBe(200);
          expect(image.headers.get('content-type')).toBe('image/png');
          await image.arrayBuffer();
        }
        // The provider's view: never more in flight than the lane allows, so not one 429; the calls
        // worker 1 had in flight were made again by worker 2, which also made every call after the kill.
        const stats = simulator.stats();

        // One object per image in the bucket. The only others allowed are what the kill may have
        // left: an image of worker 1's stored just before it died and before its item was recorded
        // (an orphan, never a second image of an item): at most one per call whose image was not
        // recorded (calls accepted beyond the images). Not "per call in flight at the kill": a call
        // answered a moment before the kill can still be storing its image, and was seen once to.
        const keys = await services.listImageKeys();
        const itemKeys = [...imageIds].map((imageId) => `${services!.keyPrefix}${imageId}`);
        for (const key of itemKeys) expect(keys).toContain(key);
        const orphans = keys.filter((key) => !itemKeys.includes(key));
        expect(orphans.length).toBeLessThanOrEqual(stats.accepted - images);

        expect(stats.rateLimited, diagnostics()).toBe(0);
        expect(stats.peakInFlight).toBeLessThanOrEqual(concurrency);
        expect(stats.accepted).toBe(stats.requests);
        expect(stats.accepted).toBeGreaterThanOrEqual(images + killedInFlight);
        expect(stats.byKey['worker-1-key']!.requests).toBe(worker1CallsAtKill);
        expect(stats.byKey['worker-2-key']!.requests).toBe(stats.requests - worker1CallsAtKill);
        expect(stats.byKey['web-a-key']).toBeUndefined();
        expect(stats.byKey['web-b-key']).toBeUndefined();

        // The other three processes are still up.
        expect([webA!, webB!, worker2!].every((child) => child.isRunning())).toBe(true);
        console.info(
          `[multi-process cluster] services and 4 processes ready in ${readyAtMs - startedAtMs} ms; ${images} images, worker 1 killed ${batchTimeBeforeKillMs} ms in,` +
            ` with ${killedInFlight} call(s) in flight after ${worker1CallsAtKill} calls;` +
            ` the batch ended ${finishedAtMs - killedAtMs} ms after the kill; ${stats.requests} calls, peak ${stats.peakInFlight} in flight, ${orphans.length} orphan object(s);` +
            ` ${Date.now() - startedAtMs} ms in all`,
        );
      },
    );
  });
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, offset) => offset + 1);
}

async function diagnosticsOnFailure(response: Response, diagnostics: () => string): Promise<string> {
  return response.status === 202 ? '' : `${await response.clone().text()}\n${diagnostics()}`;
}

async function waitUntil(condition: () => boolean, timeoutMs: number, describeFailure: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(describeFailure());
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, describeFailure: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(describeFailure())), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
