import { describe, expect, it } from 'vitest';
import { customSizeProblem, parseExactSize, type AspectRatio, type ImageOptions, type ImageSizePreset } from '@/lib/core';
import { defaultOpenAIModelId, gptImage2SizeRule, openaiModels } from './openai-models';
import { customSizeFor, openAISizeFor } from './openai-size';

const customModel = openaiModels.find(({ id }) => id === defaultOpenAIModelId)!;
const fixedModel = openaiModels.find(({ id }) => id === 'gpt-image-1.5')!;
const custom = (options: ImageOptions) => openAISizeFor(options, customModel.capabilities, customModel.id);
const fixed = (options: ImageOptions) => openAISizeFor(options, fixedModel.capabilities, fixedModel.id);

describe('openAISizeFor: models that take any WxH (GPT Image 2, 2.5)', () => {
  it('sends no size when neither size nor aspect ratio is asked for', () => {
    expect(custom({})).toEqual({ warnings: [] });
    expect(fixed({})).toEqual({ warnings: [] });
  });

  it('sends an exact WxH as it is', () => {
    expect(custom({ size: '1536x864' })).toEqual({ size: '1536x864', warnings: [] });
    expect(custom({ size: '1024x1536', aspectRatio: '2:3' })).toEqual({ size: '1024x1536', warnings: [] });
  });

  it('says so when an exact size does not have the ratio also asked for (the size wins)', () => {
    expect(custom({ size: '1024x1024', aspectRatio: '16:9' })).toEqual({
      size: '1024x1024',
      warnings: ['Size 1024x1024 does not have aspect ratio 16:9; generated 1024x1024'],
    });
  });

  it.each<[ImageSizePreset | undefined, AspectRatio | undefined, string]>([
    ['1K', undefined, '1024x1024'],
    [undefined, '1:1', '1024x1024'],
    ['2K', undefined, '2048x2048'],
    ['2K', '16:9', '2048x1152'],
    ['2K', '9:16', '1152x2048'],
    ['2K', '3:2', '2048x1360'],
    ['4K', '16:9', '3840x2160'],
    // 1K 16:9 is 1024x576 = 589,824 pixels, under the 655,360 floor: grown a step at a time.
    ['1K', '16:9', '1088x608'],
    [undefined, '16:9', '1088x608'],
    [undefined, '9:16', '608x1088'],
    [undefined, '21:9', '1248x528'],
    // 4K 1:1 is 3840x3840 = 14.7M pixels: capped at 8,294,400.
    ['4K', '1:1', '2880x2880'],
    ['4K', '4:5', '2576x3216'],
    ['4K', '21:9', '3840x1648'],
  ])('preset %s with ratio %s → %s', (size, aspectRatio, expected) => {
    expect(custom({ ...(size ? { size } : {}), ...(aspectRatio ? { aspectRatio } : {}) })).toEqual({ size: expected, warnings: [] });
  });

  it('always fits the rule and keeps the ratio within a few percent, for every preset and ratio offered', () => {
    for (const size of ['1K', '2K', '4K'] as const) {
      for (const aspectRatio of customModel.capabilities.aspectRatios) {
        const sent = custom({ size, aspectRatio }).size!;
        const exact = parseExactSize(sent)!;
        expect(customSizeProblem(exact, gptImage2SizeRule), `${size} ${aspectRatio} → ${sent}`).toBeUndefined();
        const [width, height] = aspectRatio.split(':').map(Number);
        expect(Math.abs(exact.width / exact.height / (width! / height!) - 1), `${size} ${aspectRatio} → ${sent}`).toBeLessThan(0.02);
      }
    }
  });

  it('customSizeFor rounds both edges to the rule’s step', () => {
    expect(customSizeFor('3:4', 2048, gptImage2SizeRule)).toEqual({ width: 1536, height: 2048 });
    expect(customSizeFor('4:3', 1000, gptImage2SizeRule)).toEqual({ width: 1008, height: 752 });
  });
});

describe('openAISizeFor: fixed-size models', () => {
  it('sends one of the fixed sizes as it is', () => {
    expect(fixed({ size: '1536x1024' })).toEqual({ size: '1536x1024', warnings: [] });
  });

  it.each<[AspectRatio, string, boolean]>([
    ['1:1', '1024x1024', false],
    ['2:3', '1024x1536', false],
    ['3:4', '1024x1536', true],
    ['9:16', '1024x1536', true],
    ['4:5', '1024x1536', true],
    ['3:2', '1536x1024', false],
    ['4:3', '1536x1024', true],
    ['16:9', '1536x1024', true],
    ['21:9', '1536x1024', true],
  ])('maps aspect ratio %s to the nearest fixed size %s (warning: %s)', (aspectRatio, size, hasWarning) => {
    expect(fixed({ aspectRatio })).toEqual({
      size,
      warnings: hasWarning ? [`Aspect ratio ${aspectRatio} is not available on gpt-image-1.5; generated ${size} instead`] : [],
    });
  });

  it('replaces a size the model does not take by the nearest fixed size for the ratio, with a warning', () => {
    expect(fixed({ size: '2K', aspectRatio: '16:9' })).toEqual({
      size: '1536x1024',
      warnings: ['Size 2K is not available on gpt-image-1.5; generated 1536x1024 instead'],
    });
    expect(fixed({ size: '1536x864' })).toEqual({
      size: '1024x1024',
      warnings: ['Size 1536x864 is not available on gpt-image-1.5; generated 1024x1024 instead'],
    });
  });
});
