import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageProvider } from '@/lib/core';
import { createPacedLane, type Lane } from '@/lib/engine';
import { startProviderSimulator, type ProviderSimulator, type SimulatedQuotaOptions } from '@/lib/providers/testing';
import { createBatchQueue, isFinishedStatus, type BatchQueueOptions } from '@/lib/queue';
import { createRedisPorts, type RedisPorts } from '@/lib/queue/redis/redis-ports';
import { checkTestRedis, startClusterProcess, startClusterServices, type ClusterProcess, type ClusterServices } from '@/lib/server/testing/cluster';
import { openStore, type Store } from '@/lib/store';
import { checkTestPostgres } from '@/lib/store/postgres/testing/test-postgres';
import { processCpuMs } from './load';

/**
 * Issue 12's measurements: a cluster of real processes (one web process, N `npm run worker`
 * processes; lib/server/testing/cluster.ts) on PostgreSQL, Redis and S3 (s3rver), against the
 * Gemini wire simulator in this process, and the engine's cost per image on that path beside the
 * embedded one. Real time throughout (no time factor: the workers pace on real clocks). Needs the
 * services the tests use (PostgreSQL at TEST_DATABASE_URL, Redis at TEST_REDIS_URL); without them
 * `servicesMissing()` says why, and the section is skipped with that line.
 */

export interface ScaleOutScenario {
  kind: 'quota-bound' | 'latency-bound';
  /** The simulator's quota; none for latency-bound. */
  quota?: SimulatedQuotaOptions & { requestsPerMinute?: number; maxConcurrent?: number };
  /** Each call's fixed latency at the simulator, ms. */
  latencyMs: number;
  /** PACING_CONCURRENCY: the lane's calls in flight, cluster-wide. */
  laneConcurrency: number;
  /** PACING_RPM, if any: the lane's start rate, cluster-wide. */
  pacingRpm?: number;
  /** WORKER_CONCURRENCY, if any: calls in flight per worker process. */
  workerConcurrency?: number;
  images: number;
}

export interface ScaleOutThroughputResult {
  scenario: ScaleOutScenario;
  workers: number;
  /** From the POST to the batch seen ended (polled every 50 ms). */
  wallMs: number;
  succeeded: number;
  imagesPerMinute: number;
  /** What the quota and the lane allow: min(quota rate, quota slots / latency, lane slots / latency, lane rate). */
  ceilingPerMinute: number;
  /** Calls the simulator received during the measured batch, and how many it refused (429). */
  calls: number;
  refused: number;
  peakInFlight: number;
  /** Calls in flight at the simulator on average over the measured batch (sampled every 5 ms): how full the lane's slots were kept. */
  meanInFlight: number;
  /** Calls per worker, in worker order. */
  callsByWorker: number[];
  /** CPU (user + system) of the worker processes together, per image. */
  workerCpuMsPerImage: number;
  /** 1-minute load average of the machine when the measured batch started (other work on it). */
  loadAverage: number;
}

/** Why the section cannot run here (a service unreachable), or undefined. */
export async function servicesMissing(): Promise<string | undefined> {
  const postgres = await checkTestPostgres();
  const redis = await checkTestRedis();
  const reasons = [...(postgres.isAvailable ? [] : [postgres.reason]), ...(redis === undefined ? [] : [redis])];
  return reasons.length === 0 ? undefined : reasons.join('; ');
}

/** The best rate the quota and the lane allow together, images per minute. */
export function scaleOutCeilingPerMinute(scenario: ScaleOutScenario, workers: number): number {
  const perCall = 60_000 / scenario.latencyMs;
  const slots = Math.min(scenario.laneConcurrency, scenario.quota?.maxConcurrent ?? Infinity, (scenario.workerConcurrency ?? Infinity) * workers);
  return Math.min(slots * perCall, scenario.quota?.requestsPerMinute ?? Infinity, scenario.pacingRpm ?? Infinity);
}

export async function runScaleOutThroughput(scenario: ScaleOutScenario, workers: number): Promise<ScaleOutThroughputResult> {
  let simulator: ProviderSimulator | undefined;
  let services: ClusterServices | undefined;
  const processes: ClusterProcess[] = [];
  try {
    simulator = await startProviderSimulator({ wire: 'gemini', ...(scenario.quota ? { quota: scenario.quota } : {}), latency: { kind: 'fixed', ms: scenario.latencyMs } });
    services = await startClusterServices();
    const env = (key: string) => ({
      ...services!.env,
      IMAGE_PROVIDER: 'gemini',
      GEMINI_API_KEY: key,
      GEMINI_BASE_URL: simulator!.baseUrl,
      PACING_MODE: 'fixed',
      PACING_CONCURRENCY: String(scenario.laneConcurrency),
      PACING_MIN_INTERVAL_MS: '0',
      ...(scenario.pacingRpm === undefined ? {} : { PACING_RPM: String(scenario.pacingRpm) }),
      ...(scenario.workerConcurrency === undefined ? {} : { WORKER_CONCURRENCY: String(scenario.workerConcurrency) }),
    });
    // One at a time: four processes loading at once on a small machine take longer than in turn.
    const web = await startClusterProcess('web', 'web', env('web-key'), 60_000);
    processes.push(web);
    for (let worker = 1; worker <= workers; worker += 1) processes.push(await startClusterProcess('worker', `worker ${worker}`, env(`worker-${worker}-key`), 60_000));
    const workerKeys = Array.from({ length: workers }, (_, offset) => `worker-${offset + 1}-key`);

    // Warm-up, not measured: each worker's first calls (module paths, JIT, connections), and the
    // quota's bucket and the lane's spacing then start from where a busy cluster would be.
    await runBatch(web.baseUrl!, Math.max(4, 2 * workers), 'warm-up');

    const before = simulator.stats();
    const cpuBefore = processes.map((child) => processCpuMs(child.pid));
    const loadAverage = loadavg()[0]!;
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(simulator!.stats().inFlight), 5);
    const startedAtMs = performance.now();
    const batch = await runBatch(web.baseUrl!, scenario.images, 'scale-out').finally(() => clearInterval(sampler));
    const wallMs = performance.now() - startedAtMs;
    const cpu = processes.map((child, position) => processCpuMs(child.pid) - cpuBefore[position]!);
    const after = simulator.stats();
    const ceilingPerMinute = scaleOutCeilingPerMinute(scenario, workers);
    return {
      scenario,
      workers,
      wallMs,
      succeeded: batch.succeeded,
      imagesPerMinute: batch.succeeded / (wallMs / 60_000),
      ceilingPerMinute,
      calls: after.requests - before.requests,
      refused: after.rateLimited - before.rateLimited,
      peakInFlight: after.peakInFlight,
      meanInFlight: samples.reduce((sum, inFlight) => sum + inFlight, 0) / Math.max(1, samples.length),
      callsByWorker: workerKeys.map((key) => (after.byKey[key]?.requests ?? 0) - (before.byKey[key]?.requests ?? 0)),
      workerCpuMsPerImage: cpu.slice(1).reduce((sum, ms) => sum + ms, 0) / scenario.images,
      loadAverage,
    };
  } finally {
    await Promise.all(processes.map((child) => child.stop()));
    await simulator?.close();
    await services?.stop();
  }
}

/** Creates a batch on the web process and polls it (every 50 ms) until it has ended; 5 minutes at most. */
async function runBatch(baseUrl: string, images: number, prompt: string): Promise<{ status: string; succeeded: number }> {
  const created = await fetch(`${baseUrl}/api/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, numberOfImages: images }),
  });
  if (created.status !== 202) throw new Error(`POST /api/batches answered ${created.status}: ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const deadline = Date.now() + 300_000;
  for (;;) {
    const batch = (await (await fetch(`${baseUrl}/api/batches/${id}`)).json()) as { status: string; succeeded: number };
    if (batch.status !== 'queued' && batch.status !== 'running') return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} did not end within 5 minutes: ${JSON.stringify(batch)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type QueuePath = 'embedded' | 'postgres+files' | 'postgres+redis+files' | 'postgres+redis+s3';

export interface QueuePathOverheadResult {
  path: QueuePath;
  images: number;
  wallMs: number;
  microsecondsPerImage: number;
  events: number;
  loadAverage: number;
}

const png = new Uint8Array(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEUlEQVQImWP4z8DwH4QZYAwAR8oH+Xm0fdIAAAAASUVORK5CYII=', 'base64'));

const instantProvider: ImageProvider = {
  id: 'instant',
  modelId: 'instant',
  isDemo: true,
  generate: async () => ({ bytes: png, mimeType: 'image/png' }),
};

/**
 * The queue's cost per image, the provider taking no time, one worker in this process (the same
 * code a worker process runs), 16 in flight, no spacing: the embedded path (SQLite, fsync'd image
 * files, in-process events and lane) beside the cluster's (PostgreSQL journal, then Redis events,
 * cancels, wake-ups and the shared lane's Lua scripts, then S3 objects instead of files). Each path
 * runs a 20-image warm-up first. The batch's end is heard on the event bus, the same way for all.
 */
export async function runQueuePathOverhead(path: QueuePath, images = 1_000): Promise<QueuePathOverheadResult> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-bench-path-'));
  let services: ClusterServices | undefined;
  let store: Store | undefined;
  let ports: RedisPorts | undefined;
  const lanes: Lane[] = [];
  try {
    if (path !== 'embedded') services = await startClusterServices();
    store = await openStore({
      dataDirectory,
      ...(services ? { databaseUrl: services.env.DATABASE_URL, env: services.env, isSoleProcess: false } : {}),
      ...(path === 'postgres+redis+s3' ? { blobStoreUrl: services!.env.BLOB_STORE_URL } : {}),
    });
    if (path === 'postgres+redis+files' || path === 'postgres+redis+s3') {
      ports = await createRedisPorts({ url: services!.env.REDIS_URL!, store: store.batches, prefix: services!.redisPrefix });
    }
    const lane = ports ? ports.sharedLane('instant:instant', { concurrency: 16, minIntervalMs: 0, burst: 1 }) : createPacedLane({ mode: 'fixed', concurrency: 16, minIntervalMs: 0, maxConcurrency: 16 });
    lanes.push(lane);
    const queueOptions: BatchQueueOptions = {
      store: store.batches,
      blobs: store.blobs,
      resolveModel: () => ({ provider: instantProvider, model: {} }),
      laneFor: () => lane,
      isSoleWorker: path === 'embedded',
      ...(ports ? { bus: ports.bus, cancelSignals: ports.cancelSignals, source: ports.source } : {}),
    };
    const queue = createBatchQueue(queueOptions);
    await queue.start();
    try {
      const run = async (count: number) => {
        const batch = await queue.enqueue({
          prompt: 'a lighthouse at dusk',
          mode: 'text-to-image',
          providerId: instantProvider.id,
          modelId: instantProvider.modelId,
          params: { numberOfImages: count },
          items: Array.from({ length: count }, () => ({ prompt: 'a lighthouse at dusk' })),
        });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${path}: the batch did not end within 5 minutes`)), 300_000);
          const unsubscribe = queue.subscribe(batch.id, (event) => {
            if (event.type !== 'batch-end') return;
            clearTimeout(timer);
            unsubscribe();
            resolve();
          });
          // Ended before the subscription (a tiny batch on a fast path)?
          void store!.batches.getBatch(batch.id).then((current) => {
            if (current && isFinishedStatus(current.status)) {
              clearTimeout(timer);
              unsubscribe();
              resolve();
            }
          });
        });
        return batch.id;
      };
      await run(20);
      const loadAverage = loadavg()[0]!;
      const startedAtMs = performance.now();
      const batchId = await run(images);
      const wallMs = performance.now() - startedAtMs;
      const batch = (await store.batches.getBatch(batchId))!;
      if (batch.succeeded !== images) throw new Error(`${path}: the batch ended with ${batch.succeeded}/${images}`);
      const events = (await store.batches.listEvents(batchId, { limit: 10_000 })).length;
      return { path, images, wallMs, microsecondsPerImage: (wallMs * 1_000) / images, events, loadAverage };
    } finally {
      await queue.stop();
    }
  } finally {
    for (const lane of lanes) await (lane as Partial<{ close(): Promise<void> }>).close?.();
    await ports?.close();
    await store?.close();
    await services?.stop();
    await rm(dataDirectory, { recursive: true, force: true });
  }
}
