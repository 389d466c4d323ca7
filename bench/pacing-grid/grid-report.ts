import { adaptiveTargets, fixedTargets, gridTotals, worstScenarios, type GridScenarioSummary } from './grid-summary';
import { gridClientMaxConcurrency, gridRetryPolicy } from './run-grid-scenario';

/** Markdown for the pacing grid's section of BENCHMARKS.md: how it is made, the summary, the worst five, the whole grid. */

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const seconds = (ms: number) => `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const verdict = (isMet: boolean) => (isMet ? 'met' : '**not met**');
/** The most 429s a batch of `images` may take within the refusal target (each 429 is a call more). */
const maxRefusalsWithinTarget = (images: number) => Math.floor((adaptiveTargets.maxRefusedShare * images) / (1 - adaptiveTargets.maxRefusedShare));

export function pacingGridSection(summaries: readonly GridScenarioSummary[], seeds: readonly number[], images: number): string {
  const totals = gridTotals(summaries);
  const adaptiveRatioMet = totals.adaptiveMinRatio >= adaptiveTargets.minRatio;
  const adaptiveRefusalsMet = totals.adaptiveWorstRefusedShare <= adaptiveTargets.maxRefusedShare;
  return [
    `${summaries.length} quota shapes × ${seeds.length} latency seeds (${seeds.join(', ')}), each a batch of ${images} images through \`runBatch\`, the real lanes and`,
    ' the adaptive controller, against an in-process provider (`bench/pacing-grid/`) in **simulated time** (@sinonjs/fake-timers:',
    ' the clock jumps from timer to timer, so an hour of provider time takes milliseconds). Rates from 0.1 to 20 requests/s, per second',
    ' (bucket of 1 to 10) or per minute (bucket of 5 s worth, 2 to 10); calls in flight capped at 1 to 32 or not at all; latency',
    ' log-normal, medians 0.2 s to 30 s (sigma 0.35, or 0.6 for a wide spread); and the quota halved mid-run, a second client taking a',
    ' third of it, a 6 s 503 storm, 429s without a retry hint or with one in whole seconds (rounded up, as `retry-after: 3`), OpenAI',
    ' `x-ratelimit-*` headers, and a far provider: every answer takes a 300 ms round trip (a call reaches it 150 ms after it left, its',
    ' answer comes back 150 ms after the decision or the image; elsewhere answers come back at once, which no real provider does).',
    ' The *bound* is a clairvoyant scheduler that knows all of it and starts each call the moment a token and a slot are free',
    ' (`clairvoyant-bound.ts`; on a far provider a slot is free once the answer is back: knowing the quota is not knowing when calls end); *ratio* = bound / wall',
    ` time. Adaptive is told nothing (\`PACING_MAX_CONCURRENCY=${gridClientMaxConcurrency}\`, which binds the bound too); fixed is told the quota`,
    ' (`PACING_RPM`, `PACING_CONCURRENCY`, `PACING_BURST` one under the bucket); sequential is the default (500 ms). Retries:',
    ` ${gridRetryPolicy.maxAttempts} attempts, backoff ${gridRetryPolicy.baseDelayMs} ms doubling, the retry hint honoured by a lane-wide pause.`,
    ' *Refused* counts 429s over calls (503s of a storm are not refusals). *Settled* is when the last 429 came, mean over the seeds.',
    ' A run that lost images ends early: its ratio can pass 100% (fixed pacing told a quota that then halves; sequential pacing, whose 500 ms spacing a bucket of 1 refuses, runs out of attempts); adaptive is compared with sequential only where sequential lost nothing.',
    '',
    `**What a quota that changes mid-run costs at the least.** ${images} images allow ${maxRefusalsWithinTarget(images)} 429s within ${percent(adaptiveTargets.maxRefusedShare)} (${maxRefusalsWithinTarget(images)} of ${images + maxRefusalsWithinTarget(images)} calls).`,
    ' A scheduler not told the quota learns its rate only from 429s: an accepted call says a token was there, which every faster quota',
    ' would say too; a 429 says the bucket was empty. So it takes one 429 to find the rate at all and a second to close a measure of it',
    ' (the calls accepted between two empty buckets are the refill over that time, give or take one token; exactly, with retry hints,',
    ' from token to token). A quota that changes once is two quotas: the first 429 after the change both reveals it and opens the new',
    ` measure, a second closes it: at least 4 in all, the whole budget, with no room for a probe or a misjudged limit. A cap on calls in`,
    ' flight costs the same per quota: a first 429 at a level cannot tell it from the rate, the next start there after the hint can.',
    ' Adaptive takes one more than that on the halved 2/s shape (the 429 that ends slow start opens no measure: for a latency after it',
    ' every slot is taken, and a sample in which starts waited for slots measures the lane, not the quota), two more with a second',
    ' client (its calls take tokens the hints announce: the measure errs and is climbed over), and more where the cap halves with the',
    ' rate (per minute, 9 s calls: probes of the ceiling and of the rate each cost one). The bound assumes one 429 cannot measure a rate; with exact retry',
    ' hints a bucket kept empty could in principle be read from one (next token minus the last accepted start), so on those shapes it is',
    ' a bound on measuring from token to token, not a proof that 4 is out of reach.',
    '',
    '| summary | measured | target | |',
    '|---|---:|---:|---|',
    `| adaptive: minimum ratio (worst run of the grid) | ${percent(totals.adaptiveMinRatio)} | ≥ ${percent(adaptiveTargets.minRatio)} | ${verdict(adaptiveRatioMet)} |`,
    `| adaptive: median ratio (over scenarios, mean of the seeds) | ${percent(totals.adaptiveMedianRatio)} | | |`,
    `| adaptive: worst refusal rate (one run) | ${percent(totals.adaptiveWorstRefusedShare)} | ≤ ${percent(adaptiveTargets.maxRefusedShare)} | ${verdict(adaptiveRefusalsMet)} |`,
    `| adaptive: most 429s in one run | ${totals.adaptiveMostRefusals} | | |`,
    `| adaptive: scenarios meeting both on every seed | ${totals.scenariosMeetingAdaptiveTargets} / ${totals.scenarios} | all | ${verdict(totals.scenariosMeetingAdaptiveTargets === totals.scenarios)} |`,
    `| adaptive: runs slower than sequential (of those where sequential lost no image) | ${totals.adaptiveSlowerThanSequential} / ${totals.adaptiveComparedWithSequential} | 0 | ${verdict(totals.adaptiveSlowerThanSequential === 0)} |`,
    `| adaptive: images lost | ${totals.adaptiveLost} | 0 | ${verdict(totals.adaptiveLost === 0)} |`,
    `| fixed, told the quota (quota as configured): minimum ratio | ${percent(totals.fixedMinRatio)} | ≥ ${percent(fixedTargets.minRatio)} | ${verdict(totals.fixedMinRatio >= fixedTargets.minRatio)} |`,
    `| fixed, told the quota (quota as configured): 429s | ${totals.fixedRefused} | 0 | ${verdict(totals.fixedRefused === 0)} |`,
    '',
    '**The five worst scenarios for adaptive**',
    '',
    ...scenarioTable(worstScenarios(summaries, 5)),
    '',
    '<details><summary>The whole grid</summary>',
    '',
    ...scenarioTable(summaries),
    '',
    '</details>',
  ].join('\n');
}

function scenarioTable(summaries: readonly GridScenarioSummary[]): string[] {
  return [
    '| scenario | bound (mean) | adaptive ratio: worst (mean) | refused: worst run | 429s (most) | settled | slower than sequential | fixed ratio: worst (429s, lost) | sequential ratio (lost) | learned (adaptive, first seed) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...summaries.map(
      (summary) =>
        `| ${summary.scenario} | ${seconds(summary.boundMeanWallMs)} | ${percent(summary.adaptive.worstRatio)} (${percent(summary.adaptive.meanRatio)}) | ${percent(summary.adaptive.worstRefusedShare)} | ${summary.adaptive.mostRefusals} | ${seconds(summary.adaptive.meanSettledAtMs)} | ${summary.adaptive.slowerThanSequential} / ${summary.adaptive.comparedWithSequential} | ${percent(summary.fixed.worstRatio)} (${summary.fixed.refused}, ${summary.fixed.lost}) | ${percent(summary.sequential.meanRatio)} (${summary.sequential.lost}) | ${summary.learned} |`,
    ),
  ];
}
