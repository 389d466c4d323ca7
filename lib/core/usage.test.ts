import { describe, expect, it } from 'vitest';
import { formatUsd, imageCostUsd, perImagePriceUsd, type ModelPrice } from './usage';

const byToken: ModelPrice = {
  inputPerMillionTokensUsd: 5,
  inputImagePerMillionTokensUsd: 8,
  outputPerMillionTokensUsd: 30,
  perImageUsd: { low: 0.008, medium: 0.032, 'low:1536x1024': 0.012, '*': 0.032 },
};

describe('prices', () => {
  it('looks a per-image price up by quality and size, then quality, then size, then *', () => {
    expect(perImagePriceUsd(byToken, 'low', '1536x1024')).toBe(0.012);
    expect(perImagePriceUsd(byToken, 'low', '1024x1024')).toBe(0.008);
    expect(perImagePriceUsd(byToken, undefined, undefined)).toBe(0.032);
    expect(perImagePriceUsd({ perImageUsd: { '2K': 0.1, '*': 0.05 } }, undefined, '2K')).toBe(0.1);
    expect(perImagePriceUsd({}, 'low', undefined)).toBeUndefined();
  });

  it('prices an image from the tokens reported, image input tokens at their own rate, thoughts as output', () => {
    const cost = imageCostUsd(byToken, { inputTokens: 100, inputImageTokens: 60, outputTokens: 1000, thoughtTokens: 200 }, 'low', undefined);
    expect(cost).toBeCloseTo((40 * 5 + 60 * 8 + 1200 * 30) / 1e6, 9);
  });

  it('falls back to the per-image price without usage, and knows nothing without a price', () => {
    expect(imageCostUsd(byToken, undefined, 'low', undefined)).toBe(0.008);
    expect(imageCostUsd(undefined, { outputTokens: 10 }, undefined, undefined)).toBeUndefined();
  });

  it('formats dollars with cents at least and four decimals at most', () => {
    expect([formatUsd(0.07), formatUsd(0.0336), formatUsd(2), formatUsd(0.123456)]).toEqual(['$0.07', '$0.0336', '$2.00', '$0.1235']);
  });
});
