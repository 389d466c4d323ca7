import type { ImageOptions } from '@/lib/core/image-options';
import type { ChosenModel } from './model-options';
import { imageCostUsd, roundUsd } from '@/lib/core/usage';

/**
 * What a batch will cost before it runs (from the chosen model's list price, as the server
 * estimates it) and what the batch card says after. Pure.
 */

export type CostEstimate =
  | { kind: 'free-demo' }
  | { kind: 'unknown' }
  | { kind: 'priced'; perImageUsd: number; totalUsd: number; count: number };

/** `count` images of `options` on the chosen model: the demo is free; no price, no estimate. */
export function estimateCost({ provider, model }: ChosenModel, options: ImageOptions, count: number): CostEstimate {
  if (provider.isDemo) return { kind: 'free-demo' };
  const perImageUsd = imageCostUsd(model.price, undefined, options.quality, options.size);
  if (perImageUsd === undefined) return { kind: 'unknown' };
  return { kind: 'priced', perImageUsd, totalUsd: roundUsd(perImageUsd * count), count };
}

/** "$0.13" for a total: cents, or the first digits under a cent ("$0.0022"); "$0" for nothing. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (Math.abs(usd) < 0.01) return formatUnitUsd(usd);
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** "$0.0336" for a price per image: up to four decimals, at least two. */
export function formatUnitUsd(usd: number): string {
  const [whole, fraction = ''] = usd.toFixed(4).split('.');
  const trimmed = fraction.replace(/0+$/, '').padEnd(2, '0');
  return `$${whole}.${trimmed}`;
}

/** "Estimated cost: about $0.13 (4 × $0.0336)", "Free (demo)", or "Estimated cost: price unknown". */
export function describeEstimate(estimate: CostEstimate): string {
  switch (estimate.kind) {
    case 'free-demo':
      return 'Free (demo)';
    case 'unknown':
      return 'Estimated cost: price unknown';
    case 'priced':
      return estimate.count === 1
        ? `Estimated cost: about ${formatUnitUsd(estimate.perImageUsd)}`
        : `Estimated cost: about ${formatUsd(estimate.totalUsd)} (${estimate.count} × ${formatUnitUsd(estimate.perImageUsd)})`;
  }
}

export interface BatchCostFacts {
  isDemo: boolean;
  isRunning: boolean;
  /** Spent so far, as the server counted it. */
  costUsd: number;
  /** Before the run, at the model's list price; absent when the price is unknown. */
  estimatedCostUsd?: number;
}

export interface BatchCostLabel {
  text: string;
  /** Says where the figure comes from. */
  title: string;
  isEstimate: boolean;
}

/** The card's cost: the estimate while the batch runs, what it cost once it has run. */
export function describeBatchCost(facts: BatchCostFacts): BatchCostLabel | undefined {
  if (facts.isDemo) return { text: 'Free (demo)', title: 'The offline demo provider costs nothing.', isEstimate: false };
  if (facts.isRunning) {
    if (facts.estimatedCostUsd === undefined) return undefined;
    return {
      text: `est. ${formatUsd(facts.estimatedCostUsd)}`,
      title: 'An estimate at the model’s list price; the cost is counted as the images arrive.',
      isEstimate: true,
    };
  }
  if (facts.costUsd === 0 && facts.estimatedCostUsd === undefined) {
    return { text: 'Cost unknown', title: 'The price of this model is not known on this server.', isEstimate: false };
  }
  return {
    text: formatUsd(facts.costUsd),
    title: 'What the images cost: from the usage the provider reported, or the model’s list price.',
    isEstimate: false,
  };
}
