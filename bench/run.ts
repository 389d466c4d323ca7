import { readFile, writeFile } from 'node:fs/promises';
import { replaceBenchSections } from './bench-file';
import { pageBenchMissing, runPageBench } from './page';
import { parseArgs } from 'node:util';
import { runEngineOverhead, runQueueOverhead } from './engine-overhead';
import { runFirstImage, runFirstImageInBackground } from './first-image';
import { defaultLoadOptions, runLoad } from './load';
import { loadServerTargets, type LoadServerTarget } from './load-server';
import { ensureProductionBuild } from './production-build';
import { runMemory } from './memory';
import { engineOverheadSection, firstImageSection, loadSection, machineSection, memorySection, pageSection, scaleOutSection, throughputSection } from './report';
import { runQueuePathOverhead, runScaleOutThroughput, servicesMissing, type QueuePath, type ScaleOutScenario } from './scale-out';
import { runPacingGrid } from './pacing-grid/run-grid';
import { runThroughput, strategies, summarizeRuns, type Strategy, type ThroughputResult, type ThroughputScenario, type ThroughputSummary } from './throughput';

/**
 * `npm run bench`: the pacing grid (adaptive, fixed and sequential pacing on 52 quota shapes, in
 * simulated time, against a clairvoyant bound), throughput under a simulated quota (every pacing strategy), time to the first
 * image (SSE vs classic JSON), peak RSS for a 500-image batch and its ZIP, engine overhead per image,
 * the batch API under load (20 concurrent creations, 300 SSE watchers: latencies, events lost), and
 * scale-out: 1, 2 and 4 worker processes on PostgreSQL + Redis + S3 against a quota-bound and a
 * latency-bound provider, and the queue's cost per image on that path beside the embedded one
 * (skipped, with the reason, where PostgreSQL or Redis cannot be reached).
 * Prints Markdown; `--write` also puts it in BENCHMARKS.md between the bench markers.
 * Not a test: nothing here fails on a slow machine; everything stops by itself (127.0.0.1 only).
 *
 *   npm run bench -- [--write] [--time-factor 0.02] [--only pacing-grid,throughput,first-image,memory,overhead,load,scale-out,page]
 *                    [--load-server next-start,endpoints]   (the load section's servers, both by default: see bench/load-server.ts)
 */

const defaultSections = 'pacing-grid,throughput,first-image,memory,overhead,load,scale-out,page';
// The production server first; the bare endpoints beside it show what Next.js adds (~15 s more).
const defaultLoadServers = 'next-start,endpoints';
const { values } = parseArgs({
  options: {
    write: { type: 'boolean', default: false },
    'time-factor': { type: 'string', default: '0.02' },
    only: { type: 'string', default: defaultSections },
    seeds: { type: 'string', default: '5' },
    strategies: { type: 'string', default: strategies.join(',') },
    'load-server': { type: 'string', default: defaultLoadServers },
  },
});
const timeFactor = Number(values['time-factor']);
if (!(timeFactor > 0 && timeFactor <= 1)) throw new RangeError('--time-factor must be in (0, 1]');
const sections = new Set(values.only.split(','));
const seedCount = Number(values.seeds);
if (!(Number.isInteger(seedCount) && seedCount >= 1)) throw new RangeError('--seeds must be an integer >= 1');
const seeds = Array.from({ length: seedCount }, (_, offset) => offset + 1);
const chosenStrategies = values.strategies.split(',') as Strategy[];
for (const strategy of chosenStrategies) {
  if (!strategies.includes(strategy)) throw new RangeError(`--strategies: unknown strategy ${strategy}; known: ${strategies.join(', ')}`);
}
const loadServers = values['load-server'].split(',') as LoadServerTarget[];
for (const target of loadServers) {
  if (!loadServerTargets.includes(target)) throw new RangeError(`--load-server: unknown server ${target}; known: ${loadServerTargets.join(', ')}`);
}
const options = [
  ...(values.write ? ['--write'] : []),
  ...(values['time-factor'] === '0.02' ? [] : [`--time-factor ${timeFactor}`]),
  ...(values.seeds === '5' ? [] : [`--seeds ${seedCount}`]),
  ...(values.only === defaultSections ? [] : [`--only ${values.only}`]),
  ...(values['load-server'] === defaultLoadServers ? [] : [`--load-server ${values['load-server']}`]),
];
const command = `npm run bench${options.length > 0 ? ` -- ${options.join(' ')}` : ''}`;

const scenarios: ThroughputScenario[] = [
  // The issue's example quota: here 8 in flight at ~10 s per image (48/min) binds before 60/min.
  { name: 'A. 60 requests/min, 8 concurrent (concurrency-bound)', wire: 'gemini', quota: { requestsPerMinute: 60, maxConcurrent: 8 }, images: 100, timeFactor },
  // A rate-bound quota, like most real image quotas (Gemini's per-minute ones): 20/min binds first.
  { name: 'B. 20 requests/min, 8 concurrent (rate-bound)', wire: 'gemini', quota: { requestsPerMinute: 20, maxConcurrent: 8 }, images: 100, timeFactor },
  // A low rate (entry tiers of image APIs are 5-10 a minute): fewer than two calls in flight, the
  // hardest case for learning the rate, as few calls come between two 429s.
  { name: 'C. 10 requests/min, 8 concurrent (rate-bound, low rate)', wire: 'gemini', quota: { requestsPerMinute: 10, maxConcurrent: 8 }, images: 100, timeFactor },
];

const log = (text: string) => process.stderr.write(`${text}\n`);

async function runSeeds(scenario: ThroughputScenario, strategy: Strategy): Promise<ThroughputSummary> {
  const runs: ThroughputResult[] = [];
  for (const seed of seeds) {
    const run = await runThroughput({ ...scenario, seed }, strategy);
    log(`throughput: ${scenario.name}, ${scenario.wire}: ${strategy}, seed ${seed}: ${(run.ratioToCeiling * 100).toFixed(1)}% of ceiling, ${(run.ratioToIdeal * 100).toFixed(1)}% of best, ${run.rejected}/${run.calls} refused, ${run.lost} lost${run.learned ? `, ${run.learned}` : ''}`);
    runs.push(run);
  }
  return summarizeRuns(runs);
}
/** Each section's Markdown, by name (BENCHMARKS.md keeps each between its own markers: see bench-file.ts). */
const blocks = new Map<string, string[]>([['machine', ['## Machine', '', machineSection(command), '']]]);
const add = (section: string, ...lines: string[]) => blocks.set(section, [...(blocks.get(section) ?? []), ...lines]);

if (sections.has('pacing-grid')) {
  log(`pacing grid: ${seeds.length} seeds`);
  add('pacing-grid', '## Pacing on quota shapes it was not tuned on (simulated time)', '', await runPacingGrid(seeds, log), '');
}

if (sections.has('throughput')) {
  add('throughput', '## Throughput under a quota', '');
  for (const scenario of scenarios) {
    const results: ThroughputSummary[] = [];
    const extraLabels: Record<number, string> = {};
    for (const strategy of chosenStrategies) {
      results.push(await runSeeds(scenario, strategy));
    }
    if (chosenStrategies.includes('adaptive')) {
      // The same quota on OpenAI's wire: it states the quota in x-ratelimit-* headers, adaptive reads them.
      extraLabels[results.length] = 'ours: adaptive, OpenAI wire (reads x-ratelimit-* headers)';
      results.push(await runSeeds({ ...scenario, wire: 'openai' }, 'adaptive'));
    }
    add('throughput', throughputSection(scenario, results, extraLabels), '');
  }
}

if (sections.has('first-image')) {
  add('first-image', '## Time to the first image visible (default pacing, no quota pressure)', '');
  await runFirstImage({ images: 1, timeFactor }); // warm-up (module loading, JIT), not reported
  const results = [];
  for (const images of [1, 4]) {
    log(`first image: ${images} images`);
    results.push(await runFirstImage({ images, timeFactor }));
  }
  log('first image: a 10-image background batch');
  results.push(await runFirstImageInBackground({ images: 10, timeFactor }));
  add('first-image', firstImageSection(results), '');
}

if (sections.has('memory')) {
  log('memory: 500 images of ~1 MB, then the ZIP');
  add('memory', '## Peak RSS: a 500-image batch of ~1 MB images, and its ZIP', '', memorySection(await runMemory({ images: 500, timeFactor: timeFactor / 4 })), '');
}

if (sections.has('overhead')) {
  log('engine overhead: 1,000 images');
  add('overhead', 
    '## Engine overhead (1,000 images, provider taking no time)',
    '',
    engineOverheadSection([await runEngineOverhead('instant'), await runEngineOverhead('demo'), await runQueueOverhead()]),
    '',
  );
}

if (sections.has('load')) {
  // next start serves the production build: measure the code as it is, not an older build.
  if (loadServers.includes('next-start')) await ensureProductionBuild((text) => log(`load: ${text}`));
  const results = [];
  for (const server of loadServers) {
    for (const provider of ['demo', 'gemini-simulator'] as const) {
      log(`load: 20 batches created at once, 300 SSE watchers, ${server}, ${provider}`);
      const result = await runLoad({ ...defaultLoadOptions, server, provider });
      log(`load: ${server}, ${provider}: ${result.eventsLost} events lost, delivery p50 ${result.delivery.p50} ms, p99 ${result.delivery.p99} ms`);
      results.push(result);
    }
  }
  add('load', '## The batch API under load: 20 concurrent creations, 300 SSE watchers', '', loadSection(results), '');
}

if (sections.has('scale-out')) {
  add('scale-out', '## Scaling out: worker processes on PostgreSQL + Redis + S3', '');
  const missing = await servicesMissing();
  if (missing) {
    log(`scale-out: skipped: ${missing}`);
    add('scale-out', `Skipped: ${missing}.`, '');
  } else {
    // Quota-bound: 240/min binds before 4 slots / 500 ms (480/min); the lane is told the quota.
    const quotaBound: ScaleOutScenario = {
      kind: 'quota-bound',
      // A bucket of 1 s of the rate: with a bucket of 2 (0.5 s), a call that a busy machine delays by
      // 250 ms more than the one after next arrives too close to it, and is refused.
      quota: { requestsPerMinute: 240, burstRequests: 4, maxConcurrent: 4 },
      latencyMs: 500,
      laneConcurrency: 4,
      pacingRpm: 240,
      images: 80,
    };
    // Latency-bound: no quota; 6 slots of 500 ms (720/min) are the ceiling. Without a limit per worker
    // one worker takes all 6; with WORKER_CONCURRENCY=2 each takes 2, so workers add up to the lane.
    const latencyBound: ScaleOutScenario = { kind: 'latency-bound', latencyMs: 500, laneConcurrency: 6, images: 60 };
    const throughput = [];
    for (const scenario of [quotaBound, latencyBound, { ...latencyBound, workerConcurrency: 2 }]) {
      for (const workers of [1, 2, 4]) {
        const result = await runScaleOutThroughput(scenario, workers);
        log(
          `scale-out: ${scenario.kind}${scenario.workerConcurrency ? `, WORKER_CONCURRENCY=${scenario.workerConcurrency}` : ''}, ${workers} worker(s): ` +
            `${result.imagesPerMinute.toFixed(0)}/min of ${result.ceilingPerMinute.toFixed(0)}, ${result.refused}/${result.calls} refused, calls ${result.callsByWorker.join(' + ')}`,
        );
        throughput.push(result);
      }
    }
    const overhead = [];
    for (const path of ['embedded', 'postgres+files', 'postgres+redis+files', 'postgres+redis+s3'] as QueuePath[]) {
      log(`scale-out: engine overhead, 1,000 images, ${path}`);
      overhead.push(await runQueuePathOverhead(path));
    }
    add('scale-out', scaleOutSection(throughput, overhead), '');
  }
}

if (sections.has('page')) {
  add('page', '## The page: JavaScript of the first load, and the first screen of a 1,000-image gallery (Chromium)', '');
  const missing = pageBenchMissing();
  if (missing) {
    log(`page: skipped: ${missing}`);
    add('page', `Skipped: ${missing}.`, '');
  } else {
    log('page: page weight, then a gallery of 1,000 saved images');
    const { weight, firstScreen } = await runPageBench();
    log(`page: first load ${(weight.firstLoadScriptBytes / 1024).toFixed(1)} KB of JavaScript; first screen ${firstScreen.firstScreenMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    add('page', pageSection(weight, firstScreen), '');
  }
}

// Each section says when and how it was measured: --only rewrites some and keeps the others.
const measuredOn = `_Measured ${new Date().toISOString().slice(0, 10)} with \`${command}\`._`;
for (const [name, lines] of blocks) if (name !== 'machine') lines.push(measuredOn, '');

const report = [...blocks.values()].map((lines) => lines.join('\n')).join('\n');
console.log(report);

if (values.write) {
  const path = new URL('../BENCHMARKS.md', import.meta.url);
  const current = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  const written = new Map([...blocks].map(([name, lines]) => [name, lines.join('\n')]));
  await writeFile(path, replaceBenchSections(current, written));
  log(`BENCHMARKS.md updated: ${[...written.keys()].join(', ')}`);
}
