import { maxImagesPerBatch } from '@/lib/core/batch-limits';
import { expandPrompts } from '@/lib/core/prompt-variations';
import { describeEstimate, formatUsd, type CostEstimate } from './cost-estimate';

/**
 * What the composer's text stands for before Generate: its prompts (one per line, `{a|b}` variations
 * expanded), the images they make and whether that fits in one batch. Pure.
 */
/** The count menu: 1-4 first, larger batches after (every batch is stored on the server and survives a reload). */
export const imageCountOptions = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 50, 100] as const;

/** The menu's entry for a count it may not list (a batch made through the API): the largest not above it. */
export function nearestImageCount(count: number): number {
  return [...imageCountOptions].reverse().find((option) => option <= count) ?? imageCountOptions[0];
}

export interface PromptPlan {
  /** In order; at most one more than the batch limit (enough to know it is over). */
  prompts: string[];
  /** The text expands to more prompts than are listed. */
  hasMorePrompts: boolean;
  imagesPerPrompt: number;
  /** Every prompt × images per prompt (a lower bound when `hasMorePrompts`). */
  totalImages: number;
  /** Over the batch limit: Generate refuses. */
  isOverLimit: boolean;
}

export function planPrompts(text: string, imagesPerPrompt: number): PromptPlan {
  const expanded = expandPrompts(text, maxImagesPerBatch + 1);
  const totalImages = expanded.prompts.length * imagesPerPrompt;
  const hasMorePrompts = expanded.tooMany !== undefined;
  return { prompts: expanded.prompts, hasMorePrompts, imagesPerPrompt, totalImages, isOverLimit: hasMorePrompts || totalImages > maxImagesPerBatch };
}

/** "3 prompts × 4 images" (or "More than 100 prompts × 4 images"). */
function describeCount(plan: PromptPlan): string {
  const prompts = plan.hasMorePrompts ? `More than ${maxImagesPerBatch} prompts` : `${plan.prompts.length} prompts`;
  return `${prompts} × ${plan.imagesPerPrompt} ${plan.imagesPerPrompt === 1 ? 'image' : 'images'}`;
}

/**
 * The line under the composer: the estimate alone for one prompt ("Estimated cost: about $0.13
 * (4 × $0.0336)"), the count and the estimate for several ("3 prompts × 4 images = 12 images ·
 * about $0.40": the per-image price × every image).
 */
export function describePlan(plan: PromptPlan, estimate: CostEstimate): string {
  if (plan.prompts.length <= 1) return describeEstimate(estimate);
  if (plan.isOverLimit) return `${describeCount(plan)}: more than ${maxImagesPerBatch} images`;
  const count = `${describeCount(plan)} = ${plan.totalImages} images`;
  switch (estimate.kind) {
    case 'free-demo':
      return `${count} · Free (demo)`;
    case 'unknown':
      return `${count} · price unknown`;
    case 'priced':
      return `${count} · about ${formatUsd(estimate.totalUsd)}`;
  }
}

/** Why the plan can't be one batch, in words to show next to the count; undefined when it can. */
export function overLimitMessage(plan: PromptPlan): string | undefined {
  if (!plan.isOverLimit) return undefined;
  const total = plan.hasMorePrompts ? `more than ${maxImagesPerBatch}` : String(plan.totalImages);
  return `A batch makes at most ${maxImagesPerBatch} images; ${describeCount(plan).replace(/^M/, 'm')} is ${total}. Use fewer prompts or fewer images per prompt.`;
}
