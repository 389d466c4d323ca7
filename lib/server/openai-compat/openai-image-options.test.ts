import { describe, expect, it } from 'vitest';
import type { ModelCapabilities } from '@/lib/core';
import { isOpenAICompatError } from './openai-error';
import { toImageOptions } from './openai-image-options';

const gptImage: ModelCapabilities = {
  aspectRatios: ['1:1', '3:2', '2:3'],
  sizes: ['1024x1024', '1536x1024', '1024x1536'],
  customSize: { multipleOf: 16, maxEdge: 3840, minPixels: 655_360, maxPixels: 8_294_400, maxAspectRatio: 3 },
  qualities: ['low', 'medium', 'high', 'auto'],
  outputFormats: ['png', 'jpeg', 'webp'],
  backgrounds: ['auto', 'opaque', 'transparent'],
  imageToImage: true,
  maxInputImages: 16,
};
const gemini: ModelCapabilities = {
  aspectRatios: ['1:1', '3:2', '16:9', '9:16'],
  sizes: ['1K', '2K', '4K'],
  qualities: [],
  outputFormats: ['png'],
  backgrounds: [],
  imageToImage: true,
  maxInputImages: 3,
};

const paramOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isOpenAICompatError(error)) return { status: error.status, param: error.param };
    throw error;
  }
  return undefined;
};

describe('toImageOptions', () => {
  it('keeps a WxH the model takes exact, fixed or within its custom-size rules', () => {
    expect(toImageOptions({ size: '1536x1024' }, gptImage)).toEqual({ size: '1536x1024' });
    expect(toImageOptions({ size: '2048x1152' }, gptImage)).toEqual({ size: '2048x1152' });
  });

  it('turns a WxH into the aspect ratio (and preset) on a model that takes ratios', () => {
    expect(toImageOptions({ size: '1024x1024' }, gemini)).toEqual({ aspectRatio: '1:1', size: '1K' });
    expect(toImageOptions({ size: '1536x1024' }, gemini)).toEqual({ aspectRatio: '3:2' });
    // DALL·E 3's wide size is 1.5% off 16:9: close enough to be what the client meant.
    expect(toImageOptions({ size: '1792x1024' }, gemini)).toEqual({ aspectRatio: '16:9' });
    expect(toImageOptions({ size: '2048x2048' }, gemini)).toEqual({ aspectRatio: '1:1', size: '2K' });
  });

  it('passes a shape the model has no ratio for on to the capability check (which names size)', () => {
    expect(toImageOptions({ size: '1000x100' }, gemini)).toEqual({ size: '1000x100' });
  });

  it('leaves out "auto" and DALL·E\'s "standard"; "hd" is high', () => {
    expect(toImageOptions({ size: 'auto', quality: 'auto', background: 'auto' }, gptImage)).toEqual({});
    expect(toImageOptions({ quality: 'standard' }, gemini)).toEqual({});
    expect(toImageOptions({ quality: 'hd' }, gptImage)).toEqual({ quality: 'high' });
    expect(toImageOptions({ quality: 'low', output_format: 'webp', background: 'transparent' }, gptImage)).toEqual({
      quality: 'low',
      outputFormat: 'webp',
      background: 'transparent',
    });
  });

  it('refuses values this server has no word for with a 400 naming the param', () => {
    expect(paramOf(() => toImageOptions({ size: 'big' }, gptImage))).toEqual({ status: 400, param: 'size' });
    expect(paramOf(() => toImageOptions({ quality: 'xhigh' }, gptImage))).toEqual({ status: 400, param: 'quality' });
    expect(paramOf(() => toImageOptions({ output_format: 'svg' }, gptImage))).toEqual({ status: 400, param: 'output_format' });
  });
});
