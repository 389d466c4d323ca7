import { formatUsd, type GeneratedImage, type ItemError } from '@/lib/core';

/**
 * A batch's spending cap (`maxCostUsd`). Each call reserves an image's estimated cost before it is
 * made and settles with what the image really cost: a call whose reservation would pass the cap is
 * not made. Failed calls cost nothing (providers bill images made, not refusals).
 */
export interface CostBudget {
  /** Reserves one image's estimate; false when that would pass the cap (the item must not start). */
  tryReserve(): boolean;
  /** Ends a reservation: with the image made (its cost counts), or without (nothing spent). */
  settle(image?: GeneratedImage): void;
  /** Why an item was not started, for its failure. */
  refusal(): ItemError;
  readonly spentUsd: number;
}

export interface CostBudgetOptions {
  /** The cap in USD. */
  limitUsd: number;
  /** What one image is expected to cost before it is made, in USD. */
  estimateUsd: number;
  /** Already spent by this batch (earlier runs), in USD. @default 0 */
  spentUsd?: number;
  /** What a made image cost, from what the provider reported; the estimate when undefined. */
  costOf: (image: GeneratedImage) => number | undefined;
}

/** Rounding slack, so a cap of exactly N × price lets N images through. */
const epsilonUsd = 1e-9;

export function createCostBudget({ limitUsd, estimateUsd, spentUsd = 0, costOf }: CostBudgetOptions): CostBudget {
  let spent = spentUsd;
  let reserved = 0;
  return {
    tryReserve() {
      if (spent + reserved + estimateUsd > limitUsd + epsilonUsd) return false;
      reserved += estimateUsd;
      return true;
    },
    settle(image) {
      reserved = Math.max(0, reserved - estimateUsd);
      if (image) spent += costOf(image) ?? estimateUsd;
    },
    refusal() {
      return {
        kind: 'cost_limit',
        message: `Not started: it would pass the batch's cost limit of ${formatUsd(limitUsd)}`,
        details: `spent ${formatUsd(spent)}, ${formatUsd(reserved)} on images in progress, about ${formatUsd(estimateUsd)} per image`,
      };
    },
    get spentUsd() {
      return spent;
    },
  };
}
