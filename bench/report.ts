import { availableParallelism, cpus, totalmem } from 'node:os';
import type { EngineOverheadResult } from './engine-overhead';
import type { FirstImageResult } from './first-image';
import type { LoadResult } from './load';
import type { LatencySummary } from './load-stats';
import type { MemoryResult } from './memory';
import type { FirstScreenResult, PageWeightResult } from './page';
import type { QueuePath, QueuePathOverheadResult, ScaleOutThroughputResult } from './scale-out';
import { defaultBurstRequests } from '@/lib/providers/testing';
import { strategyLabels, type ThroughputResult, type ThroughputScenario, type ThroughputSummary } from './throughput';

/** Markdown for BENCHMARKS.md: one function per section, plain tables. */

const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)} s`;
const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

export function machineSection(command: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return [
    `- Command: \`${command}\``,
    `- Machine: ${availableParallelism()} CPUs (${cpu}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform} ${process.arch}`,
    `- Node ${process.version}; run on ${new Date().toISOString().slice(0, 10)}`,
  ].join('\n');
}

export function throughputSection(scenario: ThroughputScenario, summaries: ThroughputSummary[], extraLabels: Record<number, string> = {}): string {
  const { quota } = scenario;
  const seeds = summaries[0]!.seeds;
  const ideal = idealSummary(scenario, summaries[0]!.runs);
  const header = [
    `**${scenario.name}**: ${scenario.images} images, ${scenario.wire} wire format, quota ${quota.requestsPerMinute} requests/min`,
    ` (token bucket, burst ${quota.burstRequests ?? defaultBurstRequests(quota.requestsPerMinute)}) and ${quota.maxConcurrent} in flight; latency log-normal, median 9 s.`,
    ` ${seeds.length} runs per strategy (latency seeds ${seeds.join(', ')}; the same seeds for every strategy).`,
    ` Ceiling ${summaries[0]!.meanCeilingPerMinute.toFixed(1)} images/min (mean over the seeds).`,
    ` A clairvoyant scheduler reaches ${percent(ideal.mean)} of it on average, ${percent(ideal.worst)} on the worst seed.`,
  ].join('');
  const idealRow = `| *clairvoyant bound (computed: knows the quota and bucket, starts each call the moment it may)* | ${seconds(ideal.meanWallMs)} | – | ${percent(ideal.mean)} (${percent(ideal.worst)}) | 100% | – | 0 | 0 | |`;
  const rows = summaries.map((summary, position) => {
    const label = extraLabels[position] ?? strategyLabels[summary.strategy];
    const refused = `${summary.rejected} / ${summary.calls} (worst run ${percent(summary.worstRejectedShare)})`;
    return `| ${label} | ${seconds(summary.meanWallMs)} | ${summary.meanImagesPerMinute.toFixed(1)} | ${percent(summary.meanRatioToCeiling)} (${percent(summary.worstRatioToCeiling)}) | ${percent(summary.meanRatioToIdeal)} | ${summary.meanStartRateRatio === undefined ? '–' : percent(summary.meanStartRateRatio)} | ${refused} | ${summary.lost} | ${summary.learned[0] ?? ''} |`;
  });
  return [
    header,
    '',
    '| strategy | wall time (mean) | images/min (mean) | % of ceiling: mean (worst run) | % of best for the batch (mean) | accepted-start rate, % of ceiling (mean) | 429s / calls, all runs | lost, all runs | learned (adaptive, first seed) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    idealRow,
    ...rows,
  ].join('\n');
}

/** The clairvoyant bound over the same seeds, from what each run recorded of it. */
function idealSummary(scenario: ThroughputScenario, runs: ThroughputResult[]) {
  const ratios = runs.map((run) => scenario.images / (run.idealWallMs / 60_000) / run.ceilingPerMinute);
  return {
    meanWallMs: runs.reduce((sum, run) => sum + run.idealWallMs, 0) / runs.length,
    mean: ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length,
    worst: Math.min(...ratios),
  };
}

export function firstImageSection(results: FirstImageResult[]): string {
  const orDash = (ms: number) => (Number.isNaN(ms) ? 'n/a (over 4 images)' : seconds(ms));
  const pathOf = (result: FirstImageResult) =>
    result.path === 'classic' ? 'POST /api/generate (JSON, or SSE with Accept: text/event-stream)' : 'POST /api/batches, then GET /api/batches/:id/events (SSE)';
  return [
    '| path | images | classic JSON: first image visible | SSE: first image visible | classic: response complete | SSE: stream complete |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map(
      (result) =>
        `| ${pathOf(result)} | ${result.images} | ${orDash(result.classicFirstImageMs)} | ${seconds(result.sseFirstImageMs)} | ${orDash(result.classicTotalMs)} | ${seconds(result.sseTotalMs)} |`,
    ),
  ].join('\n');
}

/** The issue's memory target, for the batch and its ZIP alike. Checked here, not in unit tests: RSS varies by machine. */
export const memoryTargetMb = 100;

export function memorySection(result: MemoryResult): string {
  const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const verdict = (growthMb: number) => (growthMb < memoryTargetMb ? 'met' : '**not met**');
  return [
    `Target: peak RSS growth < ${memoryTargetMb} MB for the batch and for its ZIP (a ZIP built in memory would grow by the whole archive, ${megabytes(result.zipBytes)}).`,
    '',
    `| phase | peak RSS growth | target < ${memoryTargetMb} MB | RSS before | data | real time |`,
    '|---|---:|---|---:|---:|---:|',
    `| ${result.images}-image batch (POST /api/batches path: queue + store, images ${(result.imageBytes / 2 ** 20).toFixed(2)} MB each) | ${result.batchPeakGrowthMb.toFixed(1)} MB | ${verdict(result.batchPeakGrowthMb)} | ${result.batchBaselineMb.toFixed(0)} MB | ${megabytes(result.images * result.imageBytes)} written | ${seconds(result.batchMs)} |`,
    `| its ZIP (GET /api/batches/:id/zip, read to the end) | ${result.zipPeakGrowthMb.toFixed(1)} MB | ${verdict(result.zipPeakGrowthMb)} | ${result.zipBaselineMb.toFixed(0)} MB | ${megabytes(result.zipBytes)} streamed | ${seconds(result.zipMs)} |`,
  ].join('\n');
}

const overheadLabels: Record<EngineOverheadResult['provider'], string> = {
  instant: 'engine (`runBatch`), instant provider (a constant 2x2 PNG)',
  demo: 'engine (`runBatch`), demo provider at zero latency (draws each image with sharp)',
  queue: 'durable queue + SQLite journal + fsync\'d blob store, instant provider',
};

export function engineOverheadSection(results: EngineOverheadResult[]): string {
  return [
    '| provider | images | wall time | per image | events |',
    '|---|---:|---:|---:|---:|',
    ...results.map(
      (result) =>
        `| ${overheadLabels[result.provider]} | ${result.images} | ${result.wallMs.toFixed(0)} ms | ${result.microsecondsPerImage.toFixed(0)} µs | ${result.events} |`,
    ),
  ].join('\n');
}

const milliseconds = (ms: number) => (Number.isNaN(ms) ? '–' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

const loadProviderLabels: Record<LoadResult['options']['provider'], (latencyMs: number) => string> = {
  demo: (latencyMs) => `demo provider** (\`DEMO_LATENCY_MS=${latencyMs}\`: it draws each image with sharp, in the server process)`,
  'gemini-simulator': (latencyMs) =>
    `Gemini wire simulator** (${latencyMs} ms fixed, a 2x2 PNG, in the client's process: the server only stores what it gets, as with a real provider)`,
};

const loadServerLabels: Record<LoadResult['options']['server'], string> = {
  'next-start': '`next start`',
  endpoints: 'endpoints on node:http',
};

/** `a`, `a and b`, `a, b and c`. */
const listed = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** The same scenario once per server and provider: a table of latencies and the completeness line for each. */
export function loadSection(results: LoadResult[]): string {
  const { options } = results[0]!;
  const row = (label: string, summary: LatencySummary, failures?: number) =>
    `| ${label} | ${summary.count}${failures ? ` (${failures} failed)` : ''} | ${milliseconds(summary.p50)} | ${milliseconds(summary.p99)} | ${milliseconds(summary.max)} |`;
  const lostLine = (result: LoadResult) =>
    `**Events lost: ${result.eventsLost}** of ${result.eventsExpected} (${result.watchers} watchers × their batch's log; ${result.eventsLogged} events logged over ${result.options.batches} batches);` +
    ` ${result.eventsReceived} received, ${result.duplicates} duplicated, ${result.outOfOrder} out of order, ${result.unknown} not in the log;` +
    ` ${result.watchersComplete} of ${result.watchers} streams complete and in order, ${result.streamsNotEndedByBatchEnd} not ended by their batch-end` +
    `${result.streamErrors.length > 0 ? ` (${result.streamErrors.join('; ')})` : ''}.` +
    ` ${result.batchesCompleted} of ${result.options.batches} batches completed, ${result.imagesSucceeded} of ${result.options.batches * result.options.imagesPerBatch} images.`;
  const runs = results.flatMap((result) => [
    `**${loadServerLabels[result.options.server]}, ${loadProviderLabels[result.options.provider](result.options.providerLatencyMs)}: the scenario took ${seconds(result.wallMs)};` +
      ` the server used ${seconds(result.serverCpuMs)} of CPU, the client ${seconds(result.clientCpuMs)}; 1-minute load average ${result.loadAverage.toFixed(1)} as it started.`,
    '',
    '| measure | count | p50 | p99 | max |',
    '|---|---:|---:|---:|---:|',
    row(`POST /api/batches, ${result.options.batches} at once (request to body read)`, result.create, result.createFailures),
    row('GET /api/batches/:id during the run (request to body read)', result.read, result.readFailures),
    row('GET /api/batches/:id/events: request to response headers', result.connect),
    row('event delivery: logged by the server to parsed by the watcher (live events)', result.delivery),
    row("fan-out: each watcher's receipt after the first receipt of the same event in its batch (client clock)", result.spread),
    '',
    lostLine(result),
    '',
  ]);
  return [
    `${options.batches} batches of ${options.imagesPerBatch} images created at once (\`POST /api/batches\`), ${options.watchersPerBatch} SSE watchers per batch` +
      ` (${options.batches * options.watchersPerBatch} in all, \`GET /api/batches/:id/events\`) opened the moment each creation answered, and ${options.readers} clients` +
      ` polling \`GET /api/batches/:id\` (${options.readerPauseMs} ms between two requests) until the last stream ended.` +
      ` The server is a real process on 127.0.0.1, started for each run with its own DATA_DIR, \`PACING_MODE=fixed\`, ${options.pacingConcurrency} in flight, no spacing,` +
      ` accounts off (no \`ADMIN_PASSWORD\`: a server for this machine only); a warm-up batch before, not counted. Each run names its server:` +
      ` ${loadServerLabels['next-start']} is the production server as deployed (\`next start -H 127.0.0.1\` of the \`next build\` output, built first if missing or older than the code):` +
      ` Next.js's request handling, \`proxy.ts\`'s request guard on every request, the route handlers of \`app/api\`, the queue worker started from \`instrumentation.ts\`;` +
      ` ${loadServerLabels.endpoints} is \`lib/server/testing/batch-server-process.ts\`: the same endpoint functions and worker behind bare node:http, without Next.js or the guard` +
      ` (\`--load-server\` picks the servers), so the two show what Next.js adds.` +
      ` The client is the bench's process, on the same machine: both share its CPUs, and so does whatever else the machine runs (the load average).`,
    '',
    ...runs,
    `Delivery is measured against the server's log: each event's \`created_at\` in the \`batch_events\` table (stamped in the transaction that logs it,` +
      ` read from the SQLite file after the run; the same clock as the client's, 1 ms resolution) to the moment the watcher parsed it.` +
      ` Only events logged after the watcher's response headers arrived count; the others (${listed(results.map((result) => String(result.replayed)))} received events)` +
      ` were logged before the stream opened and came as its replay of the log: they are left out of the delivery rows, not out of the completeness check.` +
      ` The fan-out row compares the watchers of a batch with each other on the client's own clock (sub-millisecond); it includes the client reading ${options.batches * options.watchersPerBatch} sockets in turn.`,
  ].join('\n');
}

const scaleOutPathLabels: Record<QueuePath, string> = {
  embedded: 'embedded: SQLite journal, fsync\'d image files, in-process events and lane',
  'postgres+files': 'PostgreSQL journal, image files, in-process events and lane',
  'postgres+redis+files': 'PostgreSQL journal, image files, Redis events, wake-ups and shared lane',
  'postgres+redis+s3': 'PostgreSQL + Redis + S3 (s3rver): the cluster path',
};

/** Issue 12's rows: throughput with 1, 2 and 4 worker processes, and the queue's cost per image on each path. */
export function scaleOutSection(throughput: ScaleOutThroughputResult[], overhead: QueuePathOverheadResult[]): string {
  const fakeOf = ({ scenario }: ScaleOutThroughputResult) =>
    scenario.quota
      ? `quota-bound: ${scenario.quota.requestsPerMinute ?? '∞'}/min (bucket of ${scenario.quota.burstRequests ?? '?'}), ${scenario.quota.maxConcurrent ?? '∞'} in flight; ${scenario.latencyMs} ms a call`
      : `latency-bound: no quota, ${scenario.latencyMs} ms a call`;
  const laneOf = ({ scenario }: ScaleOutThroughputResult) =>
    `${scenario.laneConcurrency} in flight${scenario.pacingRpm === undefined ? '' : `, ${scenario.pacingRpm}/min`}; WORKER_CONCURRENCY ${scenario.workerConcurrency ?? 'unset'}`;
  const overheadBase = overhead.find((result) => result.path === 'embedded');
  return [
    'A real cluster on this machine (`lib/server/testing/cluster.ts`): one web process (`WORKER=off`) and 1, 2 or 4 `npm run worker` processes,' +
      ' on a fresh PostgreSQL database, Redis and an S3 bucket (s3rver, a Node S3 server writing to local disk), against the Gemini wire simulator' +
      ' in the bench process (fixed latency, each worker with a key of its own so its calls can be counted). Real time, not scaled.' +
      ' `PACING_MODE=fixed`; the lane is shared through Redis. One batch through the web process, polled every 50 ms until it ends; a warm-up batch before it, not counted.' +
      ' The ceiling is what the quota and the lane allow together (and WORKER_CONCURRENCY × workers); the workers share the machine\'s CPUs with PostgreSQL, Redis, s3rver and the bench.',
    '',
    '| provider (simulator) | lane (PACING_*) | workers | images | wall time | images/min | ceiling | % of ceiling | mean calls in flight | 429s / calls | calls per worker | worker CPU per image | load avg |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
    ...throughput.map(
      (result) =>
        `| ${fakeOf(result)} | ${laneOf(result)} | ${result.workers} | ${result.succeeded}/${result.scenario.images} | ${seconds(result.wallMs)} | ${result.imagesPerMinute.toFixed(0)} | ${result.ceilingPerMinute.toFixed(0)} | ${percent(result.imagesPerMinute / result.ceilingPerMinute)} | ${result.meanInFlight.toFixed(1)} (peak ${result.peakInFlight}) | ${result.refused} / ${result.calls} | ${result.callsByWorker.join(' + ')} | ${result.workerCpuMsPerImage.toFixed(0)} ms | ${result.loadAverage.toFixed(1)} |`,
    ),
    '',
    'Engine overhead per image on each path: the durable queue in one process (the code a worker runs), an instant provider (a constant 2x2 PNG), 16 in flight, no spacing;' +
      ' the batch\'s end heard on the event bus. Each path on fresh services, after a 20-image warm-up.',
    '',
    '| path | images | wall time | per image | vs embedded | events | load avg |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...overhead.map(
      (result) =>
        `| ${scaleOutPathLabels[result.path]} | ${result.images} | ${result.wallMs.toFixed(0)} ms | ${result.microsecondsPerImage.toFixed(0)} µs | ${overheadBase ? `× ${(result.microsecondsPerImage / overheadBase.microsecondsPerImage).toFixed(1)}` : '–'} | ${result.events} | ${result.loadAverage.toFixed(1)} |`,
    ),
  ].join('\n');
}

/** The page bench (bench/page.ts): the issue's targets are ≤ 150 KB of JavaScript and < 1 s to the first screen. */
export function pageSection(weight: PageWeightResult, firstScreen: FirstScreenResult): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const sorted = [...firstScreen.firstScreenMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const worst = sorted.at(-1)!;
  return [
    '`next start` (production build, demo provider) on 127.0.0.1, Debian\'s Chromium headless, 1440×900, a fresh browser context (empty cache) per visit.',
    '',
    '| measure | value | target |',
    '|---|---|---|',
    `| JavaScript of the first load of \`/\` (compressed, as received, until \`load\`) | ${kb(weight.firstLoadScriptBytes)} in ${weight.firstLoadScripts} scripts | ≤ 150 KB |`,
    `| JavaScript fetched after \`load\` until the network is idle | ${kb(weight.laterScriptBytes)} in ${weight.laterScripts} scripts | – |`,
    `| A gallery of ${firstScreen.images.toLocaleString('en-US')} saved images (${firstScreen.batches} batches): navigation → every image of the first screen decoded, median of ${sorted.length} (worst) | ${median.toFixed(0)} ms (${worst.toFixed(0)} ms) | < 1 s |`,
    `| the same: navigation → \`load\` | ${[...firstScreen.loadMs].sort((a, b) => a - b).map((ms) => ms.toFixed(0)).join(', ')} ms | – |`,
    `| images in the first screen / in the document after it / HTML of \`/\` | ${firstScreen.imagesInFirstScreen} / ${firstScreen.imagesInDocument} / ${kb(firstScreen.htmlBytes)} | – |`,
  ].join('\n');
}
