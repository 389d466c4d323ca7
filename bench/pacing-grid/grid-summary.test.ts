import { describe, expect, it } from 'vitest';
import { gridTotals, summarizeScenario, worstScenarios } from './grid-summary';
import type { GridRun } from './run-grid-scenario';

function run(overrides: Partial<GridRun>): GridRun {
  return { scenario: 's', strategy: 'adaptive', seed: 1, wallMs: 100, boundWallMs: 95, ratio: 0.95, succeeded: 80, lost: 0, calls: 82, refused: 2, refusedShare: 2 / 82, overloaded: 0, peakInFlight: 4, ...overrides };
}

describe('summarizeScenario', () => {
  it('keeps the worst seed, compares with sequential only where sequential lost nothing', () => {
    const summary = summarizeScenario({ name: 's', family: 'f' }, true, [
      run({ seed: 1, ratio: 0.95, wallMs: 100 }),
      run({ seed: 2, ratio: 0.85, wallMs: 120, refused: 6, refusedShare: 6 / 86, lastRefusalAtMs: 40 }),
      run({ strategy: 'fixed', seed: 1, ratio: 0.99, refused: 0 }),
      run({ strategy: 'fixed', seed: 2, ratio: 0.97, refused: 0 }),
      // Seed 1: sequential was faster and complete; seed 2: it lost images, so it is no yardstick.
      run({ strategy: 'sequential', seed: 1, wallMs: 90 }),
      run({ strategy: 'sequential', seed: 2, wallMs: 50, lost: 3 }),
    ]);
    expect(summary.adaptive).toMatchObject({ worstRatio: 0.85, mostRefusals: 6, slowerThanSequential: 1, comparedWithSequential: 1, meanSettledAtMs: 20 });
    expect(summary.adaptive.meanRatio).toBeCloseTo(0.9, 10);
    expect(summary.fixed).toEqual({ worstRatio: 0.97, refused: 0, lost: 0 });
    expect(summary.sequential.lost).toBe(3);
    expect(summary.meetsAdaptiveTargets).toBe(false);
  });
});

describe('gridTotals and worstScenarios', () => {
  const good = summarizeScenario({ name: 'good', family: 'f' }, true, [run({}), run({ strategy: 'fixed', ratio: 0.96, refused: 0 }), run({ strategy: 'sequential', wallMs: 300 })]);
  const bad = summarizeScenario({ name: 'bad', family: 'f' }, false, [run({ ratio: 0.6 }), run({ strategy: 'fixed', ratio: 0.5, refused: 9 }), run({ strategy: 'sequential', wallMs: 300 })]);

  it('takes the minimum, the median and the worst refusals; fixed only where the quota stays as told', () => {
    const totals = gridTotals([good, bad]);
    expect(totals).toMatchObject({ scenarios: 2, adaptiveMinRatio: 0.6, scenariosMeetingAdaptiveTargets: 1, fixedMinRatio: 0.96, fixedRefused: 0 });
    expect(totals.adaptiveMedianRatio).toBeCloseTo(0.775, 10);
  });

  it('puts the scenarios furthest from the targets first', () => {
    expect(worstScenarios([good, bad], 1).map((summary) => summary.scenario)).toEqual(['bad']);
  });
});
