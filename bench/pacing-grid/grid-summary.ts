import type { GridRun } from './run-grid-scenario';

/** The targets for adaptive pacing, not told the quota. */
export const adaptiveTargets = { minRatio: 0.9, maxRefusedShare: 0.05 } as const;
/** The target for fixed pacing told the quota, where the quota is enforced as configured. */
export const fixedTargets = { minRatio: 0.95 } as const;

/** One scenario over its seeds: adaptive's runs, with fixed and sequential on the same seeds. */
export interface GridScenarioSummary {
  scenario: string;
  family: string;
  isQuotaAsConfigured: boolean;
  seeds: number;
  adaptive: {
    worstRatio: number;
    meanRatio: number;
    worstRefusedShare: number;
    mostRefusals: number;
    /** Mean over the seeds of when the last 429 came, in simulated ms (0 for a run with none). */
    meanSettledAtMs: number;
    lost: number;
    /** Seeds on which adaptive took longer than sequential pacing (where sequential lost no image). */
    slowerThanSequential: number;
    comparedWithSequential: number;
  };
  fixed: { worstRatio: number; refused: number; lost: number };
  sequential: { meanRatio: number; lost: number };
  boundMeanWallMs: number;
  meetsAdaptiveTargets: boolean;
  learned: string;
}

export function summarizeScenario(scenario: { name: string; family: string }, isQuotaAsConfigured: boolean, runs: readonly GridRun[]): GridScenarioSummary {
  const of = (strategy: GridRun['strategy']) => runs.filter((run) => run.strategy === strategy);
  const adaptive = of('adaptive');
  const fixed = of('fixed');
  const sequential = of('sequential');
  if (adaptive.length === 0 || fixed.length === 0 || sequential.length === 0) throw new RangeError(`${scenario.name}: every strategy needs runs`);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  // A sequential run that lost images ended early: it is no yardstick.
  const sequentialWallBySeed = new Map(sequential.filter((run) => run.lost === 0).map((run) => [run.seed, run.wallMs]));
  const worstRatio = Math.min(...adaptive.map((run) => run.ratio));
  const worstRefusedShare = Math.max(...adaptive.map((run) => run.refusedShare));
  const lost = adaptive.reduce((sum, run) => sum + run.lost, 0);
  return {
    scenario: scenario.name,
    family: scenario.family,
    isQuotaAsConfigured,
    seeds: adaptive.length,
    adaptive: {
      worstRatio,
      meanRatio: mean(adaptive.map((run) => run.ratio)),
      worstRefusedShare,
      mostRefusals: Math.max(...adaptive.map((run) => run.refused)),
      meanSettledAtMs: mean(adaptive.map((run) => run.lastRefusalAtMs ?? 0)),
      lost,
      slowerThanSequential: adaptive.filter((run) => run.wallMs > (sequentialWallBySeed.get(run.seed) ?? Infinity)).length,
      comparedWithSequential: adaptive.filter((run) => sequentialWallBySeed.has(run.seed)).length,
    },
    fixed: { worstRatio: Math.min(...fixed.map((run) => run.ratio)), refused: fixed.reduce((sum, run) => sum + run.refused, 0), lost: fixed.reduce((sum, run) => sum + run.lost, 0) },
    sequential: { meanRatio: mean(sequential.map((run) => run.ratio)), lost: sequential.reduce((sum, run) => sum + run.lost, 0) },
    boundMeanWallMs: mean(adaptive.map((run) => run.boundWallMs)),
    meetsAdaptiveTargets: worstRatio >= adaptiveTargets.minRatio && worstRefusedShare <= adaptiveTargets.maxRefusedShare && lost === 0,
    learned: adaptive[0]!.learned ?? '',
  };
}

/** The grid's summary row. */
export interface GridTotals {
  scenarios: number;
  runs: number;
  adaptiveMinRatio: number;
  /** Median over the scenarios of adaptive's mean ratio. */
  adaptiveMedianRatio: number;
  adaptiveWorstRefusedShare: number;
  adaptiveMostRefusals: number;
  adaptiveLost: number;
  adaptiveSlowerThanSequential: number;
  adaptiveComparedWithSequential: number;
  scenariosMeetingAdaptiveTargets: number;
  /** Fixed pacing, on the scenarios whose quota stays as configured. */
  fixedMinRatio: number;
  fixedRefused: number;
  fixedLost: number;
}

export function gridTotals(summaries: readonly GridScenarioSummary[]): GridTotals {
  if (summaries.length === 0) throw new RangeError('gridTotals needs at least one scenario');
  const asConfigured = summaries.filter((summary) => summary.isQuotaAsConfigured);
  return {
    scenarios: summaries.length,
    runs: summaries.reduce((sum, summary) => sum + summary.seeds, 0),
    adaptiveMinRatio: Math.min(...summaries.map((summary) => summary.adaptive.worstRatio)),
    adaptiveMedianRatio: median(summaries.map((summary) => summary.adaptive.meanRatio)),
    adaptiveWorstRefusedShare: Math.max(...summaries.map((summary) => summary.adaptive.worstRefusedShare)),
    adaptiveMostRefusals: Math.max(...summaries.map((summary) => summary.adaptive.mostRefusals)),
    adaptiveLost: summaries.reduce((sum, summary) => sum + summary.adaptive.lost, 0),
    adaptiveSlowerThanSequential: summaries.reduce((sum, summary) => sum + summary.adaptive.slowerThanSequential, 0),
    adaptiveComparedWithSequential: summaries.reduce((sum, summary) => sum + summary.adaptive.comparedWithSequential, 0),
    scenariosMeetingAdaptiveTargets: summaries.filter((summary) => summary.meetsAdaptiveTargets).length,
    fixedMinRatio: Math.min(...asConfigured.map((summary) => summary.fixed.worstRatio)),
    fixedRefused: asConfigured.reduce((sum, summary) => sum + summary.fixed.refused, 0),
    fixedLost: asConfigured.reduce((sum, summary) => sum + summary.fixed.lost, 0),
  };
}

/** The worst scenarios for adaptive: lowest worst-seed ratio first, the refusal share breaking ties. */
export function worstScenarios(summaries: readonly GridScenarioSummary[], count: number): GridScenarioSummary[] {
  const shortfall = (summary: GridScenarioSummary) =>
    Math.max(0, adaptiveTargets.minRatio - summary.adaptive.worstRatio) + Math.max(0, summary.adaptive.worstRefusedShare - adaptiveTargets.maxRefusedShare);
  return [...summaries]
    .sort((left, right) => shortfall(right) - shortfall(left) || left.adaptive.worstRatio - right.adaptive.worstRatio)
    .slice(0, count);
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
