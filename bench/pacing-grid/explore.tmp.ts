import fc from 'fast-check';
import { runGridScenario } from './run-grid-scenario';
import { quotaShapeArbitrary } from './quota-shape-arbitrary';
const samples = fc.sample(fc.tuple(quotaShapeArbitrary, fc.integer({ min: 1, max: 1000 })), { numRuns: 10000, seed: 11 });
let maxRef = 0, minRatio = 1, lost = 0, bad = 0; const refs: number[] = [];
for (const [s, seed] of samples) {
  const r = await runGridScenario(s, 'adaptive', seed);
  refs.push(r.refused); lost += r.lost; maxRef = Math.max(maxRef, r.refused); minRatio = Math.min(minRatio, r.ratio);
  if (r.calls !== r.succeeded + r.refused) bad++;
  if (r.refused > 10 || r.ratio < 0.3) console.log(r.refused, r.ratio.toFixed(2), seed, s.name);
}
refs.sort((a, b) => a - b);
console.log({ maxRef, minRatio, lost, bad, p50: refs[5000], p90: refs[9000], p99: refs[9900], over3: refs.filter((x) => x > 3).length });
