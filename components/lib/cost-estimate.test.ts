import { describe, expect, it } from 'vitest';
import type { ModelCapabilities } from '@/lib/core/image-options';
import type { ModelInfo, ProviderInfo } from '@/lib/core/model-catalog';
import { describeBatchCost, describeEstimate, estimateCost, formatUnitUsd, formatUsd } from './cost-estimate';

const capabilities: ModelCapabilities = {
  aspectRatios: ['1:1'],
  sizes: ['1024x1024', '1536x1024'],
  qualities: ['low', 'medium', 'high', 'auto'],
  outputFormats: ['png'],
  backgrounds: [],
  imageToImage: false,
  maxInputImages: 0,
};
const provider = (isDemo: boolean): ProviderInfo => ({ id: isDemo ? 'demo' : 'openai', label: 'x', isDemo, configured: true, models: [] });
const model = (price?: ModelInfo['price']): ModelInfo => ({ id: 'm', label: 'M', capabilities, ...(price ? { price } : {}) });
const priced = model({ perImageUsd: { low: 0.009, medium: 0.0336, high: 0.133, auto: 0.0336, '*': 0.0336, 'high:1536x1024': 0.2 } });

describe('the estimate before Generate', () => {
  it('is count × the per-image list price for the chosen quality and size', () => {
    const estimate = estimateCost({ provider: provider(false), model: priced }, {}, 4);
    expect(estimate).toEqual({ kind: 'priced', perImageUsd: 0.0336, totalUsd: 0.1344, count: 4 });
    expect(describeEstimate(estimate)).toBe('Estimated cost: about $0.13 (4 × $0.0336)');
    const large = estimateCost({ provider: provider(false), model: priced }, { quality: 'high', size: '1536x1024' }, 8);
    expect(describeEstimate(large)).toBe('Estimated cost: about $1.60 (8 × $0.20)');
    expect(describeEstimate(estimateCost({ provider: provider(false), model: priced }, { quality: 'low' }, 1))).toBe('Estimated cost: about $0.009');
  });

  it('says "Free (demo)" on the demo, and that the price is unknown without one', () => {
    const demo = estimateCost({ provider: provider(true), model: model({ perImageUsd: { '*': 0 } }) }, {}, 4);
    expect(describeEstimate(demo)).toBe('Free (demo)');
    const unknown = estimateCost({ provider: provider(false), model: model() }, {}, 4);
    expect(describeEstimate(unknown)).toBe('Estimated cost: price unknown');
  });

  it('formats dollars: cents for totals, up to four decimals per image', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.1344)).toBe('$0.13');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.0022)).toBe('$0.0022');
    expect(formatUnitUsd(0.125)).toBe('$0.125');
    expect(formatUnitUsd(0.2)).toBe('$0.20');
  });
});

describe('the cost on a batch card', () => {
  it('a batch that has run shows what it cost', () => {
    expect(describeBatchCost({ isDemo: false, isRunning: false, costUsd: 0.1344, estimatedCostUsd: 0.13 })).toMatchObject({
      text: '$0.13',
      isEstimate: false,
    });
    expect(describeBatchCost({ isDemo: false, isRunning: false, costUsd: 0, estimatedCostUsd: 0.13 })).toMatchObject({ text: '$0', isEstimate: false });
    expect(describeBatchCost({ isDemo: false, isRunning: false, costUsd: 0 })).toMatchObject({ text: 'Cost unknown' });
  });

  it('a running batch shows the estimate, labelled as one, or nothing without a price', () => {
    const running = describeBatchCost({ isDemo: false, isRunning: true, costUsd: 0.02, estimatedCostUsd: 0.4 });
    expect(running).toMatchObject({ text: 'est. $0.40', isEstimate: true });
    expect(running?.title).toContain('counted as the images arrive');
    expect(describeBatchCost({ isDemo: false, isRunning: true, costUsd: 0 })).toBeUndefined();
  });

  it('the demo is free', () => {
    expect(describeBatchCost({ isDemo: true, isRunning: false, costUsd: 0 })?.text).toBe('Free (demo)');
  });
});
