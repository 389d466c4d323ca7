import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { quotaShapeArbitrary } from './quota-shape-arbitrary';
import { runGridScenario, type GridRun } from './run-grid-scenario';

/**
 * Adaptive pacing on many random quota shapes (the property test's arbitrary and seeds), offline:
 * the distribution of 429s per batch and of the ratio to the clairvoyant bound, and the worst runs.
 * It is how a change to the controller is measured beyond the grid's 59 shapes.
 *
 *   node --import ./lib/server/testing/typescript-hooks.mjs bench/pacing-grid/random-shapes.ts [--runs 30000] [--seed 7] [--worst 10]
 */

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '30000' },
    seed: { type: 'string', default: '7' },
    worst: { type: 'string', default: '10' },
  },
});
const runCount = Number(values.runs);
const fastCheckSeed = Number(values.seed);
const samples = fc.sample(fc.tuple(quotaShapeArbitrary, fc.integer({ min: 1, max: 1_000 })), { seed: fastCheckSeed, numRuns: runCount });

const runs: GridRun[] = [];
const startedAt = performance.now();
for (const [scenario, seed] of samples) {
  runs.push(await runGridScenario(scenario, 'adaptive', seed));
  if (runs.length % 2_000 === 0) process.stderr.write(`${runs.length} runs, ${((performance.now() - startedAt) / 1_000).toFixed(0)} s\n`);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const refusals = runs.map((run) => run.refused).sort((left, right) => left - right);
const ratios = runs.map((run) => run.ratio).sort((left, right) => left - right);
const share = (predicate: (run: GridRun) => boolean) => `${((runs.filter(predicate).length / runs.length) * 100).toFixed(1)}%`;
console.log(`${runs.length} random shapes (24 images each, fast-check seed ${fastCheckSeed})`);
console.log(`429s: median ${quantile(refusals, 0.5)}, p90 ${quantile(refusals, 0.9)}, p99 ${quantile(refusals, 0.99)}, p99.9 ${quantile(refusals, 0.999)}, worst ${refusals.at(-1)}; at most 3: ${share((run) => run.refused <= 3)}`);
console.log(`ratio: worst ${ratios[0]!.toFixed(3)}, p1 ${quantile(ratios, 0.01).toFixed(3)}, p10 ${quantile(ratios, 0.1).toFixed(3)}, median ${quantile(ratios, 0.5).toFixed(3)}; at least 0.9: ${share((run) => run.ratio >= 0.9)}`);
console.log(`lost: ${runs.reduce((sum, run) => sum + run.lost, 0)}`);
const histogram = new Map<number, number>();
for (const count of refusals) histogram.set(count, (histogram.get(count) ?? 0) + 1);
console.log(`429s histogram: ${[...histogram].map(([count, times]) => `${count}:${times}`).join(' ')}`);
const worst = Number(values.worst);
console.log('most 429s:');
for (const run of [...runs].sort((left, right) => right.refused - left.refused).slice(0, worst)) console.log(`  ${run.refused} 429s, ${(run.ratio * 100).toFixed(1)}%: ${run.scenario} (seed ${run.seed})`);
console.log('lowest ratio:');
for (const run of [...runs].sort((left, right) => left.ratio - right.ratio).slice(0, worst)) console.log(`  ${(run.ratio * 100).toFixed(1)}%, ${run.refused} 429s: ${run.scenario} (seed ${run.seed})`);
