import { describe, expect, it } from 'vitest';
import { aspectRatios } from '@/lib/core/image';
import type { ModelCapabilities } from '@/lib/core/image-options';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import {
  choiceKey,
  customSizeValue,
  defaultChoice,
  defaultOptionValues,
  extraOptionFieldsOf,
  findModel,
  findOptionValuesProblem,
  isOffered,
  maxInputImagesOf,
  modelOptionLabel,
  optionChoicesOf,
  parseChoiceKey,
  reconcileOptionValues,
  toImageOptions,
  type OptionValues,
} from './model-options';

/** The "More options" fields, all empty: the model's defaults. */
const noExtraValues = { negativePrompt: '', seed: '', steps: '', cfgScale: '', sampler: '', denoisingStrength: '' };

const demoCapabilities: ModelCapabilities = {
  aspectRatios: [...aspectRatios],
  sizes: [],
  qualities: [],
  outputFormats: ['png', 'jpeg', 'webp'],
  backgrounds: [],
  imageToImage: true,
  maxInputImages: 4,
};
const customSizeCapabilities: ModelCapabilities = {
  aspectRatios: ['1:1', '2:3', '3:2', '16:9', '21:9'],
  sizes: ['1K', '2K', '4K', '1024x1024', '1536x1024'],
  customSize: { multipleOf: 16, maxEdge: 3840, minPixels: 655_360, maxPixels: 8_294_400, maxAspectRatio: 3 },
  qualities: ['low', 'medium', 'high', 'auto'],
  outputFormats: ['png', 'jpeg', 'webp'],
  backgrounds: ['auto', 'opaque', 'transparent'],
  imageToImage: true,
  maxInputImages: 16,
};
const textOnlyCapabilities: ModelCapabilities = {
  aspectRatios: ['16:9', '9:16'],
  sizes: [],
  qualities: ['high'],
  outputFormats: ['jpeg'],
  backgrounds: [],
  imageToImage: false,
  maxInputImages: 0,
};

const catalog: ProvidersCatalog = {
  providers: [
    {
      id: 'openai',
      label: 'OpenAI',
      isDemo: false,
      configured: true,
      models: [
        { id: 'gpt-image-2.5-flare', label: 'GPT Image 2.5 Flare', capabilities: customSizeCapabilities, price: { perImageUsd: { '*': 0.032 } } },
        { id: 'text-only:v1', label: 'Text only', capabilities: textOnlyCapabilities },
      ],
    },
    {
      id: 'demo',
      label: 'Demo (offline, not AI)',
      isDemo: true,
      configured: true,
      models: [{ id: 'demo-shapes-v1', label: 'Demo shapes', capabilities: demoCapabilities, price: { perImageUsd: { '*': 0 } } }],
    },
  ],
  default: { provider: 'openai', model: 'gpt-image-2.5-flare' },
};

const values = (change: Partial<OptionValues> = {}, capabilities = customSizeCapabilities): OptionValues => ({
  ...defaultOptionValues(capabilities),
  ...change,
});

describe('the picker', () => {
  it('starts on the server default, or the first model when the default is not listed', () => {
    expect(defaultChoice(catalog)).toEqual({ providerId: 'openai', modelId: 'gpt-image-2.5-flare' });
    expect(defaultChoice({ ...catalog, default: { provider: 'gemini', model: 'x' } })).toEqual({ providerId: 'openai', modelId: 'gpt-image-2.5-flare' });
    expect(defaultChoice({ providers: [], default: { provider: 'demo', model: 'x' } })).toBeUndefined();
  });

  it('keys a choice by provider and model, even when the model id has a colon', () => {
    const choice = { providerId: 'openai', modelId: 'text-only:v1' };
    expect(parseChoiceKey(choiceKey(choice))).toEqual(choice);
    expect(findModel(catalog, choice)?.model.label).toBe('Text only');
    expect(findModel(catalog, { providerId: 'demo', modelId: 'gpt-image-2.5-flare' })).toBeUndefined();
    expect(parseChoiceKey('no-separator')).toBeUndefined();
  });

  it('labels the demo as a demo', () => {
    const demo = findModel(catalog, { providerId: 'demo', modelId: 'demo-shapes-v1' })!;
    expect(modelOptionLabel(demo)).toBe('Demo shapes (demo)');
    expect(modelOptionLabel(findModel(catalog, { providerId: 'openai', modelId: 'gpt-image-2.5-flare' })!)).toBe('GPT Image 2.5 Flare');
  });
});

describe('the options offered', () => {
  it('on the demo: every aspect ratio and the three formats; no size, quality or background', () => {
    const choices = optionChoicesOf(demoCapabilities);
    expect(choices.aspectRatios.map((choice) => choice.value)).toHaveLength(14);
    expect(choices.aspectRatios.map((choice) => choice.value)).toContain('21:9');
    expect(choices.outputFormats.map((choice) => choice.label)).toEqual(['PNG', 'JPEG', 'WebP']);
    expect(isOffered(choices.sizes)).toBe(false);
    expect(isOffered(choices.qualities)).toBe(false);
    expect(isOffered(choices.backgrounds)).toBe(false);
  });

  it('on a GPT Image 2.5 model: named sizes, a custom size, quality and background with auto as the default', () => {
    const choices = optionChoicesOf(customSizeCapabilities);
    expect(choices.sizes.map((choice) => choice.value)).toEqual(['', '1K', '2K', '4K', '1024x1024', '1536x1024', customSizeValue]);
    expect(choices.sizes.find((choice) => choice.value === '1536x1024')?.label).toBe('1536×1024');
    expect(choices.qualities.map((choice) => choice.value)).toEqual(['low', 'medium', 'high', 'auto']);
    expect(choices.backgrounds.map((choice) => choice.value)).toEqual(['auto', 'opaque', 'transparent']);
    expect(defaultOptionValues(customSizeCapabilities)).toEqual({
      ...noExtraValues,
      aspectRatio: '1:1',
      size: '',
      customSize: '',
      quality: 'auto',
      outputFormat: 'png',
      background: 'auto',
    });
  });

  it('a single value is no choice; without auto, "Default" leaves it to the model', () => {
    const choices = optionChoicesOf(textOnlyCapabilities);
    expect(choices.qualities).toEqual([
      { value: '', label: 'Default' },
      { value: 'high', label: 'High' },
    ]);
    expect(isOffered(choices.outputFormats)).toBe(false);
    expect(defaultOptionValues(textOnlyCapabilities).aspectRatio).toBe('16:9');
    expect(maxInputImagesOf(textOnlyCapabilities)).toBe(0);
    expect(maxInputImagesOf(demoCapabilities)).toBe(4);
  });
});

describe('changing model', () => {
  it('keeps what the new model takes and resets the rest to its defaults', () => {
    const chosen = values({ aspectRatio: '21:9', size: customSizeValue, customSize: '2048x1152', quality: 'high', outputFormat: 'webp', background: 'transparent' });
    expect(reconcileOptionValues(chosen, demoCapabilities)).toEqual({
      ...noExtraValues,
      aspectRatio: '21:9',
      size: '',
      customSize: '2048x1152',
      quality: '',
      outputFormat: 'webp',
      background: '',
    });
    expect(reconcileOptionValues(values({ aspectRatio: '4:1' }, demoCapabilities), customSizeCapabilities).aspectRatio).toBe('1:1');
    expect(reconcileOptionValues(chosen, textOnlyCapabilities)).toMatchObject({ aspectRatio: '16:9', quality: 'high', outputFormat: 'jpeg' });
  });
});

describe('what a request carries', () => {
  it('only what was chosen: auto and the default format are left out', () => {
    expect(toImageOptions(values(), customSizeCapabilities)).toEqual({ aspectRatio: '1:1' });
    expect(toImageOptions(values({ size: '2K', quality: 'high', outputFormat: 'webp', background: 'opaque' }), customSizeCapabilities)).toEqual({
      aspectRatio: '1:1',
      size: '2K',
      quality: 'high',
      outputFormat: 'webp',
      background: 'opaque',
    });
    expect(toImageOptions(values({ size: customSizeValue, customSize: ' 1536 × 864 ' }), customSizeCapabilities)).toEqual({
      aspectRatio: '1:1',
      size: '1536x864',
    });
  });

  it('checks a custom size as the server will, with a sentence for the size field', () => {
    const model = catalog.providers[0]!.models[0]!;
    expect(findOptionValuesProblem(values({ size: customSizeValue, customSize: '1536x864' }), model, 0)).toBeUndefined();
    expect(findOptionValuesProblem(values({ size: customSizeValue }), model, 0)).toMatchObject({ field: 'size', message: expect.stringContaining('WIDTHxHEIGHT') });
    expect(findOptionValuesProblem(values({ size: customSizeValue, customSize: 'big' }), model, 0)).toMatchObject({ field: 'size', message: expect.stringContaining('"big" is not a size') });
    expect(findOptionValuesProblem(values({ size: customSizeValue, customSize: '1000x1000' }), model, 0)).toMatchObject({
      field: 'size',
      message: expect.stringContaining('multiples of 16'),
    });
    expect(findOptionValuesProblem(values({ size: customSizeValue, customSize: '3840x1024' }), model, 0)).toMatchObject({
      field: 'size',
      message: expect.stringContaining('3 times'),
    });
    expect(findOptionValuesProblem(values({ outputFormat: 'jpeg', background: 'transparent' }), model, 0)?.field).toBe('outputFormat');
    expect(findOptionValuesProblem(values({}, demoCapabilities), catalog.providers[1]!.models[0]!, 5)).toMatchObject({ field: 'image' });
  });
});

describe('"More options": the diffusion controls a model advertises', () => {
  const diffusion: ModelCapabilities = {
    ...demoCapabilities,
    maxInputImages: 1,
    extraOptions: {
      negativePrompt: true,
      seed: true,
      steps: { min: 1, max: 150, default: 20 },
      cfgScale: { min: 1, max: 30, default: 7 },
      samplers: ['DPM++ 2M', 'Euler a'],
      denoisingStrength: true,
    },
  };
  const model = { id: 'sdxl', label: 'SDXL', capabilities: diffusion };

  it('offers the fields the model takes, none for a model without extraOptions', () => {
    expect(extraOptionFieldsOf(diffusion)).toEqual(['negativePrompt', 'seed', 'steps', 'cfgScale', 'sampler', 'denoisingStrength']);
    expect(extraOptionFieldsOf({ ...diffusion, extraOptions: { seed: true, samplers: [] } })).toEqual(['seed']);
    expect(extraOptionFieldsOf(demoCapabilities)).toEqual([]);
  });

  it('sends what was typed, as numbers, and leaves empty fields to the model (seed 0 is a choice)', () => {
    const values: OptionValues = { ...defaultOptionValues(diffusion), negativePrompt: 'fog', seed: '0', steps: '30', cfgScale: '6.5', sampler: 'Euler a', denoisingStrength: '' };
    expect(toImageOptions(values, diffusion)).toEqual({ aspectRatio: '1:1', negativePrompt: 'fog', seed: 0, steps: 30, cfgScale: 6.5, sampler: 'Euler a' });
    expect(toImageOptions(defaultOptionValues(diffusion), diffusion)).toEqual({ aspectRatio: '1:1' });
  });

  it('never sends them to a model without them, and clears them on a change to such a model', () => {
    const values: OptionValues = { ...defaultOptionValues(diffusion), seed: '42', sampler: 'Euler a' };
    expect(toImageOptions(values, demoCapabilities)).toEqual({ aspectRatio: '1:1' });
    expect(reconcileOptionValues(values, demoCapabilities)).toMatchObject({ seed: '', sampler: '' });
    expect(reconcileOptionValues(values, diffusion)).toMatchObject({ seed: '42', sampler: 'Euler a' });
    expect(reconcileOptionValues(values, { ...diffusion, extraOptions: { ...diffusion.extraOptions, samplers: ['DDIM'] } })).toMatchObject({ seed: '42', sampler: '' });
  });

  it('says what is wrong before sending: not a number, not whole, out of range, denoising without an image', () => {
    const base = defaultOptionValues(diffusion);
    expect(findOptionValuesProblem({ ...base, seed: 'abc' }, model, 0)).toMatchObject({ field: 'seed', message: expect.stringContaining('must be a number') });
    expect(findOptionValuesProblem({ ...base, steps: '2.5' }, model, 0)).toMatchObject({ field: 'steps', message: 'Steps must be a whole number.' });
    expect(findOptionValuesProblem({ ...base, cfgScale: '40' }, model, 0)).toMatchObject({ field: 'cfgScale' });
    expect(findOptionValuesProblem({ ...base, denoisingStrength: '0.5' }, model, 0)).toMatchObject({ field: 'denoisingStrength' });
    expect(findOptionValuesProblem({ ...base, denoisingStrength: '0.5' }, model, 1)).toBeUndefined();
  });
});
