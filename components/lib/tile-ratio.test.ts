import { describe, expect, it } from 'vitest';
import { isRatioOff, tileRatio } from './tile-ratio';

describe('tileRatio', () => {
  it('reads a size in pixels before the aspect ratio', () => {
    expect(tileRatio('1:1', '1536x1024')).toBe(1.5);
    expect(tileRatio('2:3')).toBeCloseTo(2 / 3);
    expect(tileRatio('16:9', '2K')).toBeCloseTo(16 / 9);
  });

  it('falls back to square for anything it cannot read', () => {
    expect(tileRatio('auto')).toBe(1);
    expect(tileRatio('0:3')).toBe(1);
  });
});

describe('isRatioOff', () => {
  it('ignores rounding, catches another shape', () => {
    expect(isRatioOff(16 / 9, 768, 432)).toBe(false);
    expect(isRatioOff(16 / 9, 1365, 768)).toBe(false);
    expect(isRatioOff(1, 512, 768)).toBe(true);
    expect(isRatioOff(1, 0, 0)).toBe(false);
  });
});
