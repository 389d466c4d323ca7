import { availableParallelism, cpus, totalmem } from 'node:os';
import type { EngineOverheadResult } from './engine-overhead';
import type { FirstImageResult } from './first-image';
import type { MemoryResult } from './memory';
import { strategyLabels, type ThroughputResult, type ThroughputScenario } from './throughput';

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

export function throughputSection(scenario: ThroughputScenario, results: ThroughputResult[], extraLabels: Record<number, string> = {}): string {
  const { quota } = scenario;
  const header = [
    `**${scenario.name}**: ${scenario.images} images, ${scenario.wire} wire format, quota ${quota.requestsPerMinute} requests/min`,
    ` (token bucket, burst ${quota.burstRequests ?? 'default'}) and ${quota.maxConcurrent} in flight; latency log-normal, median 9 s.`,
    ` Ceiling ${results[0]!.ceilingPerMinute.toFixed(1)} images/min; best possible wall time for this batch ${seconds(results[0]!.idealWallMs)}.`,
  ].join('');
  const rows = results.map((result, position) => {
    const label = extraLabels[position] ?? strategyLabels[result.strategy];
    return `| ${label} | ${seconds(result.wallMs)} | ${result.imagesPerMinute.toFixed(1)} | ${percent(result.ratioToCeiling)} | ${percent(result.ratioToIdeal)} | ${result.startRateRatio === undefined ? '–' : percent(result.startRateRatio)} | ${result.rejected} / ${result.calls} | ${result.lost} | ${result.learned ?? ''} |`;
  });
  return [
    header,
    '',
    '| strategy | wall time | images/min | % of ceiling | % of best for this batch | accepted-start rate, % of ceiling | 429s / calls | lost | learned (adaptive) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
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

export function memorySection(result: MemoryResult): string {
  const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  return [
    `| phase | peak RSS growth | RSS before | data | real time |`,
    '|---|---:|---:|---:|---:|',
    `| ${result.images}-image batch (POST /api/batches path: queue + store, images ${(result.imageBytes / 2 ** 20).toFixed(2)} MB each) | ${result.batchPeakGrowthMb.toFixed(1)} MB | ${result.batchBaselineMb.toFixed(0)} MB | ${megabytes(result.images * result.imageBytes)} written | ${seconds(result.batchMs)} |`,
    `| its ZIP (GET /api/batches/:id/zip, read to the end) | ${result.zipPeakGrowthMb.toFixed(1)} MB | ${result.zipBaselineMb.toFixed(0)} MB | ${megabytes(result.zipBytes)} streamed | ${seconds(result.zipMs)} |`,
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
