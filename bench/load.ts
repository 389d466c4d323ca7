import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProviderSimulator, type ProviderSimulator } from '@/lib/providers/testing';
import { startLoadServer, type LoadServer, type LoadServerTarget } from './load-server';
import { checkSequence, createSseParser, summarize, type LatencySummary, type ReceivedEvent } from './load-stats';

/**
 * The batch API under load: a real server process on 127.0.0.1 (by default the production server,
 * `next start` of the build, with proxy.ts's request guard in front of the routes; or the batch
 * endpoint functions on bare node:http: see load-server.ts) with its own DATA_DIR, paced wide open (PACING_MODE=fixed,
 * 8 in flight, no spacing) so that the load is on the server, not in the pacing. The provider is
 * the demo at a fixed latency (it draws each image with sharp, in the server process), or the
 * Gemini wire simulator (in this process, the same fixed latency, a 2x2 PNG: the server only
 * stores what it gets, as with a real provider). This process is the client: it creates the
 * batches all at once, opens the SSE watchers of each batch the moment its creation answers, and
 * polls GET /api/batches/:id meanwhile. Everything is bounded (counts, and `timeoutMs` for the
 * whole scenario); nothing fails on a slow machine, losses are counted and reported.
 *
 * Event delivery latency is measured against the server's own log: each event's `created_at` in the
 * batch_events table (written by the server, in the transaction that logs the event, with the same
 * wall clock as this process: 1 ms resolution), read from DATA_DIR's SQLite file after the run, to
 * the moment the watcher parsed the event. Only events logged after the watcher's response headers
 * arrived count (live); those logged before are the backlog the stream replays first, counted apart.
 * Completeness: each watcher must receive its batch's whole log, 1 … the batch-end's sequence, once
 * each, in order, the stream ending on batch-end (`checkSequence`).
 */

export type LoadProvider = 'demo' | 'gemini-simulator';

export interface LoadOptions {
  /** Which server is measured (load-server.ts). */
  server: LoadServerTarget;
  provider: LoadProvider;
  batches: number;
  imagesPerBatch: number;
  watchersPerBatch: number;
  /** Clients polling GET /api/batches/:id, each waiting `readerPauseMs` between two requests. */
  readers: number;
  readerPauseMs: number;
  /** The provider's latency per image: DEMO_LATENCY_MS, or the simulator's fixed latency. */
  providerLatencyMs: number;
  pacingConcurrency: number;
  /** The whole scenario, creations to the last stream's end; then everything is cut. */
  timeoutMs: number;
}

export const defaultLoadOptions: LoadOptions = {
  server: 'next-start',
  provider: 'demo',
  batches: 20,
  imagesPerBatch: 5,
  watchersPerBatch: 15,
  readers: 4,
  readerPauseMs: 20,
  providerLatencyMs: 200,
  pacingConcurrency: 8,
  timeoutMs: 120_000,
};

export interface LoadResult {
  options: LoadOptions;
  /** From the first POST to the last stream's end. */
  wallMs: number;
  /** POST /api/batches, request sent to body read (ms). */
  create: LatencySummary;
  createFailures: number;
  /** GET /api/batches/:id while the batches run, request sent to body read (ms). */
  read: LatencySummary;
  readFailures: number;
  /** GET /api/batches/:id/events, request sent to response headers (ms). */
  connect: LatencySummary;
  /** Live events: logged by the server (batch_events.created_at) to parsed by the watcher (ms). */
  delivery: LatencySummary;
  /** Live events: received by this watcher minus received by the first watcher of the batch (ms). */
  spread: LatencySummary;
  /** Events logged before the watcher's headers arrived (sent as the backlog, from the log). */
  replayed: number;
  watchers: number;
  watchersComplete: number;
  /** The batches' logs: events of all batches; each watcher must receive every event of its batch. */
  eventsLogged: number;
  eventsExpected: number;
  eventsReceived: number;
  eventsLost: number;
  duplicates: number;
  outOfOrder: number;
  unknown: number;
  /** Streams that ended on something other than their batch's batch-end, or failed. */
  streamsNotEndedByBatchEnd: number;
  /** Why streams failed: `count × message`, one per distinct message. */
  streamErrors: string[];
  batchesCompleted: number;
  imagesSucceeded: number;
  /** CPU time during the scenario (user + system), of the server process and of this client process. */
  serverCpuMs: number;
  clientCpuMs: number;
  /** 1-minute load average of the machine when the scenario started (other work on it). */
  loadAverage: number;
}

interface WatcherRecord {
  batchId: string;
  connectMs: number;
  /** Wall clock (Date.now()) when the response headers arrived. */
  connectedAtMs: number;
  /** `receivedAtMs`: Date.now() (to compare with the server's clock); `receivedAtTick`: performance.now() (finer, this process only). */
  events: (ReceivedEvent & { receivedAtMs: number; receivedAtTick: number })[];
  error?: string;
}

export async function runLoad(options: LoadOptions = defaultLoadOptions): Promise<LoadResult> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-bench-load-'));
  let simulator: ProviderSimulator | undefined;
  let server: LoadServer | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    if (options.provider === 'gemini-simulator') {
      simulator = await startProviderSimulator({ wire: 'gemini', latency: { kind: 'fixed', ms: options.providerLatencyMs } });
    }
    server = await startLoadServer(options.server, {
      DATA_DIR: dataDirectory,
      OPENAI_API_KEY: '',
      ...(simulator
        ? { IMAGE_PROVIDER: 'gemini', GEMINI_API_KEY: 'simulator-key', GEMINI_BASE_URL: simulator.baseUrl }
        : { IMAGE_PROVIDER: 'demo', GEMINI_API_KEY: '', DEMO_LATENCY_MS: String(options.providerLatencyMs) }),
      PACING_MODE: 'fixed',
      PACING_CONCURRENCY: String(options.pacingConcurrency),
      PACING_MIN_INTERVAL_MS: '0',
      LOG_LEVEL: 'silent',
    });
    const client = new Client(server.baseUrl, agent);
    await warmUp(client);
    const scenario = await runScenario(client, options, server.pid);
    await server.stop();
    const { records, ...measured } = scenario;
    return { ...measured, ...analyse(records, readEventLog(dataDirectory)) };
  } finally {
    agent.destroy();
    await server?.stop();
    await simulator?.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
}

/** One small batch followed to its end and read, not measured: module loading, JIT, sharp, SQLite statements. */
async function warmUp(client: Client): Promise<void> {
  const signal = AbortSignal.timeout(30_000);
  const created = await client.json('POST', '/api/batches', { prompt: 'warm-up', numberOfImages: 2 }, signal);
  if (created.status !== 202) throw new Error(`warm-up: POST /api/batches answered ${created.status}`);
  const { id } = created.body as { id: string };
  const watcher = await client.watch(id, signal);
  if (watcher.error || watcher.events.at(-1)?.type !== 'batch-end') throw new Error(`warm-up: the events stream did not end with batch-end: ${watcher.error ?? ''}`);
  await client.json('GET', `/api/batches/${id}`, undefined, signal);
}

async function runScenario(client: Client, options: LoadOptions, serverPid: number) {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const loadAverage = loadavg()[0]!;
  const serverCpuBefore = processCpuMs(serverPid);
  const clientCpuBefore = process.cpuUsage();
  const startedAtMs = performance.now();

  const batchIds: string[] = [];
  const watchers: Promise<WatcherRecord>[] = [];
  const createLatencies: number[] = [];
  let createFailures = 0;
  const creations = Array.from({ length: options.batches }, async (_, position) => {
    const requestedAtMs = performance.now();
    const created = await client.json('POST', '/api/batches', { prompt: `load test ${position + 1}`, numberOfImages: options.imagesPerBatch }, signal);
    createLatencies.push(performance.now() - requestedAtMs);
    if (created.status !== 202) {
      createFailures += 1;
      return;
    }
    const { id } = created.body as { id: string };
    batchIds.push(id);
    for (let watcher = 0; watcher < options.watchersPerBatch; watcher += 1) watchers.push(client.watch(id, signal));
  });

  let readersStop = false;
  const readLatencies: number[] = [];
  let readFailures = 0;
  const readers = Array.from({ length: options.readers }, async (_, reader) => {
    for (let turn = reader; !readersStop && !signal.aborted; turn += 1) {
      if (batchIds.length === 0) {
        await sleep(5);
        continue;
      }
      const id = batchIds[turn % batchIds.length]!;
      const requestedAtMs = performance.now();
      try {
        const answer = await client.json('GET', `/api/batches/${id}`, undefined, signal);
        readLatencies.push(performance.now() - requestedAtMs);
        if (answer.status !== 200) readFailures += 1;
      } catch {
        if (!signal.aborted) readFailures += 1;
      }
      await sleep(options.readerPauseMs);
    }
  });

  await Promise.allSettled(creations);
  const records = await Promise.all(watchers);
  const wallMs = performance.now() - startedAtMs;
  readersStop = true;
  await Promise.all(readers);
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverCpuMs = processCpuMs(serverPid) - serverCpuBefore;

  let batchesCompleted = 0;
  let imagesSucceeded = 0;
  for (const id of batchIds) {
    const batch = (await client.json('GET', `/api/batches/${id}`, undefined, AbortSignal.timeout(10_000))).body as { status?: string; succeeded?: number };
    if (batch.status === 'completed') batchesCompleted += 1;
    imagesSucceeded += batch.succeeded ?? 0;
  }

  return {
    options,
    wallMs,
    create: summarize(createLatencies),
    createFailures: createFailures + (options.batches - createLatencies.length),
    read: summarize(readLatencies),
    readFailures,
    connect: summarize(records.filter((record) => !Number.isNaN(record.connectMs)).map((record) => record.connectMs)),
    records,
    batchesCompleted,
    imagesSucceeded,
    serverCpuMs,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1_000,
    loadAverage,
  };
}

/** When the server logged each event: `${batchId}:${sequence}` → epoch ms; and each batch's last sequence. */
interface EventLog {
  loggedAtMs: Map<string, number>;
  lastSequence: Map<string, number>;
}

function readEventLog(dataDirectory: string): EventLog {
  const database = new DatabaseSync(join(dataDirectory, 'imagegen.sqlite'));
  try {
    const rows = database.prepare('SELECT batch_id AS batchId, sequence, created_at AS createdAt FROM batch_events').all() as {
      batchId: string;
      sequence: number;
      createdAt: string;
    }[];
    const log: EventLog = { loggedAtMs: new Map(), lastSequence: new Map() };
    for (const row of rows) {
      log.loggedAtMs.set(`${row.batchId}:${row.sequence}`, Date.parse(row.createdAt));
      log.lastSequence.set(row.batchId, Math.max(log.lastSequence.get(row.batchId) ?? 0, row.sequence));
    }
    return log;
  } finally {
    database.close();
  }
}

function analyse(watchers: WatcherRecord[], log: EventLog) {
  const delivery: number[] = [];
  const firstReceipt = new Map<string, number>();
  const liveReceipts: { key: string; receivedAtTick: number }[] = [];
  let replayed = 0;
  let eventsReceived = 0;
  let eventsLost = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let unknown = 0;
  let watchersComplete = 0;
  let streamsNotEndedByBatchEnd = 0;
  const streamErrors = new Map<string, number>();
  const batchIds = new Set(watchers.map((watcher) => watcher.batchId));
  let eventsLogged = 0;
  let eventsExpected = 0;
  for (const id of batchIds) eventsLogged += log.lastSequence.get(id) ?? 0;

  for (const watcher of watchers) {
    const lastSequence = log.lastSequence.get(watcher.batchId) ?? 0;
    eventsExpected += lastSequence;
    eventsReceived += watcher.events.length;
    const check = checkSequence(watcher.events, lastSequence);
    eventsLost += check.missing.length;
    duplicates += check.duplicates;
    outOfOrder += check.outOfOrder;
    unknown += check.unknown;
    if (check.isComplete && !watcher.error) watchersComplete += 1;
    if (!check.endsWithBatchEnd || watcher.error) streamsNotEndedByBatchEnd += 1;
    if (watcher.error) streamErrors.set(watcher.error, (streamErrors.get(watcher.error) ?? 0) + 1);
    for (const event of watcher.events) {
      const key = `${watcher.batchId}:${event.sequence}`;
      const loggedAtMs = log.loggedAtMs.get(key);
      if (loggedAtMs === undefined) continue;
      if (loggedAtMs < watcher.connectedAtMs) {
        replayed += 1;
        continue;
      }
      delivery.push(event.receivedAtMs - loggedAtMs);
      liveReceipts.push({ key, receivedAtTick: event.receivedAtTick });
      firstReceipt.set(key, Math.min(firstReceipt.get(key) ?? Number.POSITIVE_INFINITY, event.receivedAtTick));
    }
  }
  // Fan-out: how much later than the batch's first watcher each watcher got the same event.
  const spread = liveReceipts.map(({ key, receivedAtTick }) => receivedAtTick - firstReceipt.get(key)!);
  return {
    watchers: watchers.length,
    watchersComplete,
    delivery: summarize(delivery),
    spread: summarize(spread),
    replayed,
    eventsLogged,
    eventsExpected,
    eventsReceived,
    eventsLost,
    duplicates,
    outOfOrder,
    unknown,
    streamsNotEndedByBatchEnd,
    streamErrors: [...streamErrors].map(([error, count]) => `${count} × ${error}`),
  };
}

/** Keep-alive HTTP/1.1 to the server on 127.0.0.1; one socket per request in flight. */
class Client {
  private readonly baseUrl: string;
  private readonly agent: Agent;

  constructor(baseUrl: string, agent: Agent) {
    this.baseUrl = baseUrl;
    this.agent = agent;
  }

  json(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = httpRequest(
        `${this.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          signal,
          headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: response.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
            } catch {
              resolve({ status: response.statusCode ?? 0, body: text });
            }
          });
          response.once('error', reject);
        },
      );
      request.once('error', reject);
      request.end(payload);
    });
  }

  /** Follows a batch's events from the start to the stream's end (the server closes it after batch-end). */
  watch(batchId: string, signal: AbortSignal): Promise<WatcherRecord> {
    return new Promise((resolve) => {
      const record: WatcherRecord = { batchId, connectMs: Number.NaN, connectedAtMs: Number.NaN, events: [] };
      const requestedAtMs = performance.now();
      let settled = false;
      const settle = (error?: string) => {
        if (settled) return;
        settled = true;
        resolve(error ? { ...record, error } : record);
      };
      const request = httpRequest(
        `${this.baseUrl}/api/batches/${encodeURIComponent(batchId)}/events`,
        { agent: this.agent, signal, headers: { accept: 'text/event-stream' } },
        (response: IncomingMessage) => {
          record.connectedAtMs = Date.now();
          record.connectMs = performance.now() - requestedAtMs;
          if (response.statusCode !== 200) {
            response.resume();
            settle(`events answered ${response.statusCode}`);
            return;
          }
          const parse = createSseParser();
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            const receivedAtMs = Date.now();
            const receivedAtTick = performance.now();
            for (const frame of parse(chunk)) {
              const event = JSON.parse(frame.data) as { sequence?: unknown };
              const sequence = typeof event.sequence === 'number' && frame.id === String(event.sequence) ? event.sequence : Number.NaN;
              record.events.push({ sequence, type: frame.event, receivedAtMs, receivedAtTick });
            }
          });
          response.once('end', () => settle());
          response.once('error', (error) => settle(String(error)));
          response.once('close', () => settle(response.complete ? undefined : 'the stream was cut'));
        },
      );
      request.once('error', (error) => settle(String(error)));
      request.end();
    });
  }
}

/** user + system CPU of a process so far, from /proc (Linux); NaN elsewhere. */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 3, utime 14 and stime 15, counted in clock ticks (USER_HZ, 100 on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1_000) / 100;
  } catch {
    return Number.NaN;
  }
}
