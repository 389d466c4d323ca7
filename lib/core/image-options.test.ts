import { describe, expect, it } from 'vitest';
import { customSizeProblem, findOptionProblem, parseExactSize, type ModelCapabilities } from './image-options';

const fixed: ModelCapabilities = {
  aspectRatios: ['1:1', '2:3', '3:2'],
  sizes: ['1024x1024', '1536x1024'],
  qualities: ['low', 'high'],
  outputFormats: ['png', 'webp', 'jpeg'],
  backgrounds: ['auto', 'transparent'],
  imageToImage: true,
  maxInputImages: 2,
};
const custom: ModelCapabilities = {
  ...fixed,
  sizes: ['1K'],
  customSize: { multipleOf: 16, maxEdge: 3840, minPixels: 655_360, maxPixels: 8_294_400, maxAspectRatio: 3 },
};

describe('findOptionProblem', () => {
  it('accepts what the model takes, and no options at all', () => {
    expect(findOptionProblem(fixed, {}, 'M')).toBeUndefined();
    expect(findOptionProblem(fixed, { aspectRatio: '2:3', size: '1536x1024', quality: 'high', outputFormat: 'webp', background: 'transparent' }, 'M', 2)).toBeUndefined();
    expect(findOptionProblem(custom, { size: '1536x864' }, 'M')).toBeUndefined();
  });

  it('names the field and what the model takes', () => {
    expect(findOptionProblem(fixed, { aspectRatio: '16:9' }, 'M')).toEqual({
      field: 'aspectRatio',
      message: 'aspectRatio "16:9" is not available on M; choose one of 1:1, 2:3, 3:2.',
    });
    expect(findOptionProblem(fixed, { size: '2K' }, 'M')).toMatchObject({ field: 'size', message: expect.stringContaining('1024x1024, 1536x1024.') });
    expect(findOptionProblem(custom, { size: '2K' }, 'M')).toMatchObject({ field: 'size', message: expect.stringContaining('1K, WIDTHxHEIGHT') });
    expect(findOptionProblem(fixed, { quality: 'medium' }, 'M')).toMatchObject({ field: 'quality' });
    expect(findOptionProblem({ ...fixed, backgrounds: [] }, { background: 'opaque' }, 'M')).toEqual({
      field: 'background',
      message: 'M does not take background; leave it out.',
    });
    expect(findOptionProblem(fixed, { background: 'transparent', outputFormat: 'jpeg' }, 'M')).toMatchObject({ field: 'outputFormat' });
    expect(findOptionProblem(fixed, {}, 'M', 3)).toMatchObject({ field: 'image', message: expect.stringContaining('at most 2 input images') });
    expect(findOptionProblem({ ...fixed, imageToImage: false, maxInputImages: 0 }, {}, 'M', 1)).toMatchObject({ field: 'image' });
  });

  it('checks custom sizes against the rule', () => {
    const rule = custom.customSize!;
    expect(customSizeProblem({ width: 1000, height: 1008 }, rule)).toMatch(/multiples of 16/);
    expect(customSizeProblem({ width: 4096, height: 1024 }, rule)).toMatch(/longest edge/);
    expect(customSizeProblem({ width: 512, height: 512 }, rule)).toMatch(/655,360 to 8,294,400/);
    expect(customSizeProblem({ width: 3072, height: 1008 }, rule)).toMatch(/3 times the short edge/);
    expect(customSizeProblem({ width: 3840, height: 2160 }, rule)).toBeUndefined();
  });

  it('parses exact sizes only', () => {
    expect(parseExactSize('1536x864')).toEqual({ width: 1536, height: 864 });
    expect(parseExactSize('2K')).toBeUndefined();
    expect(parseExactSize('0x10')).toBeUndefined();
  });
});
