import { describe, expect, it } from 'vitest';
import type { CostEstimate } from './cost-estimate';
import { describePlan, overLimitMessage, planPrompts } from './prompt-plan';

const demo: CostEstimate = { kind: 'free-demo' };

describe('planPrompts', () => {
  it('reads one prompt per line and expands the variations', () => {
    const plan = planPrompts('a {red|blue} car\n\n  a lighthouse  \n', 4);
    expect(plan.prompts).toEqual(['a red car', 'a blue car', 'a lighthouse']);
    expect(plan.totalImages).toBe(12);
    expect(plan.isOverLimit).toBe(false);
  });

  it('is over the limit past 100 images, or past 100 prompts', () => {
    expect(planPrompts('{a|b|c} dog', 34).isOverLimit).toBe(true);
    expect(planPrompts('{a|b|c} dog', 33).isOverLimit).toBe(false);
    const many = planPrompts('{1|2|3|4|5|6|7|8|9|10} {a|b|c|d|e|f|g|h|i|j} {x|y}', 1);
    expect(many.hasMorePrompts).toBe(true);
    expect(many.prompts).toHaveLength(101);
    expect(many.isOverLimit).toBe(true);
  });
});

describe('describePlan', () => {
  it('keeps the estimate alone for one prompt', () => {
    expect(describePlan(planPrompts('a cat', 4), demo)).toBe('Free (demo)');
    expect(describePlan(planPrompts('', 4), demo)).toBe('Free (demo)');
  });

  it('shows the count and the cost of every image for several prompts', () => {
    const plan = planPrompts('{red|blue|green} car', 4);
    const priced: CostEstimate = { kind: 'priced', perImageUsd: 0.0336, totalUsd: 0.4032, count: 12 };
    expect(describePlan(plan, priced)).toBe('3 prompts × 4 images = 12 images · about $0.40');
    expect(describePlan(plan, demo)).toBe('3 prompts × 4 images = 12 images · Free (demo)');
    expect(describePlan(planPrompts('a\nb', 1), { kind: 'unknown' })).toBe('2 prompts × 1 image = 2 images · price unknown');
  });

  it('says when the plan is over the limit, and why Generate refuses', () => {
    const plan = planPrompts('{a|b|c} dog', 50);
    expect(describePlan(plan, demo)).toBe('3 prompts × 50 images: more than 100 images');
    expect(overLimitMessage(plan)).toBe('A batch makes at most 100 images; 3 prompts × 50 images is 150. Use fewer prompts or fewer images per prompt.');
    expect(overLimitMessage(planPrompts('{a|b|c} dog', 4))).toBeUndefined();
  });
});
