import { pacingGridSection } from './grid-report';
import { isQuotaAsConfigured } from './grid-scenario';
import { gridScenarios } from './grid-scenarios';
import { summarizeScenario, type GridScenarioSummary } from './grid-summary';
import { gridStrategies, runGridScenario, type GridRun } from './run-grid-scenario';

/** Every scenario of the grid, every strategy, every seed; returns the section's Markdown. */
export async function runPacingGrid(seeds: readonly number[], log: (line: string) => void): Promise<string> {
  const summaries: GridScenarioSummary[] = [];
  for (const scenario of gridScenarios) {
    const runs: GridRun[] = [];
    for (const strategy of gridStrategies) for (const seed of seeds) runs.push(await runGridScenario(scenario, strategy, seed));
    const summary = summarizeScenario(scenario, isQuotaAsConfigured(scenario), runs);
    log(
      `pacing grid: ${scenario.name}: adaptive ${(summary.adaptive.worstRatio * 100).toFixed(1)}% worst, ${(summary.adaptive.meanRatio * 100).toFixed(1)}% mean, ` +
        `${(summary.adaptive.worstRefusedShare * 100).toFixed(1)}% refused worst; fixed ${(summary.fixed.worstRatio * 100).toFixed(1)}% (${summary.fixed.refused} 429s)`,
    );
    summaries.push(summary);
  }
  return pacingGridSection(summaries, seeds, gridScenarios[0]!.images);
}
