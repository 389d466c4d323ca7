import { describe, expect, it } from 'vitest';
import { customSizeProblem, findOptionProblem, parseExactSize, seedForImage, type ModelCapabilities } from './image-options';

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

describe('findOptionProblem: diffusion controls', () => {
  const diffusion: ModelCapabilities = {
    ...fixed,
    extraOptions: {
      negativePrompt: true,
      seed: true,
      steps: { min: 1, max: 150, default: 20 },
      cfgScale: { min: 1, max: 30, default: 7 },
      samplers: ['Euler a', 'DPM++ 2M'],
      denoisingStrength: true,
    },
  };

  it('accepts every control the model advertises, within its ranges', () => {
    const options = { negativePrompt: 'blurry', seed: 42, steps: 30, cfgScale: 6.5, sampler: 'DPM++ 2M', denoisingStrength: 0.4 };
    expect(findOptionProblem(diffusion, options, 'SD', 1)).toBeUndefined();
  });

  it('refuses each control on a model that does not take it, naming the field', () => {
    for (const [field, value] of Object.entries({ negativePrompt: 'x', seed: 1, steps: 20, cfgScale: 7, sampler: 'Euler a', denoisingStrength: 0.5 })) {
      expect(findOptionProblem(fixed, { [field]: value }, 'M', 1)).toEqual({ field, message: `M does not take ${field}; leave it out.` });
    }
  });

  it('refuses values outside the model’s ranges and samplers it does not list', () => {
    const narrow: ModelCapabilities = { ...diffusion, extraOptions: { ...diffusion.extraOptions, steps: { min: 1, max: 50, default: 20 } } };
    expect(findOptionProblem(narrow, { steps: 51 }, 'SD')).toEqual({ field: 'steps', message: 'steps 51 is outside what SD takes: 1 to 50.' });
    expect(findOptionProblem(diffusion, { cfgScale: 31 }, 'SD')).toMatchObject({ field: 'cfgScale' });
    expect(findOptionProblem(diffusion, { sampler: 'LMS' }, 'SD')).toEqual({
      field: 'sampler',
      message: 'sampler "LMS" is not available on SD; choose one of Euler a, DPM++ 2M.',
    });
  });

  it('takes denoisingStrength only with an input image', () => {
    expect(findOptionProblem(diffusion, { denoisingStrength: 0.5 }, 'SD', 0)).toMatchObject({ field: 'denoisingStrength', message: expect.stringContaining('image-to-image only') });
  });
});

describe('seedForImage', () => {
  it('gives image N the seed plus N - 1, wrapping past 2^32 - 1', () => {
    expect(seedForImage(100, 1)).toBe(100);
    expect(seedForImage(100, 3)).toBe(102);
    expect(seedForImage(2 ** 32 - 1, 2)).toBe(0);
  });
});
