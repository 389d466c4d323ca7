import { describe, expect, it } from 'vitest';
import type { BatchView } from '@/lib/core/api-views';
import type { ModelCapabilities } from '@/lib/core/image-options';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import { fillFromBatch, fillFromEmbeddedParameters, moreLikeThisRequest } from './composer-fill';
import { defaultOptionValues, findModel } from './model-options';

const demoCapabilities: ModelCapabilities = {
  aspectRatios: ['1:1', '2:3', '3:2', '16:9'],
  sizes: [],
  qualities: [],
  outputFormats: ['png', 'jpeg', 'webp'],
  backgrounds: [],
  imageToImage: true,
  maxInputImages: 4,
};
const openAiCapabilities: ModelCapabilities = {
  aspectRatios: ['1:1', '2:3', '3:2', '16:9'],
  sizes: ['1K', '1024x1024', '1536x1024'],
  customSize: { multipleOf: 16, maxEdge: 3840, minPixels: 655_360, maxPixels: 8_294_400, maxAspectRatio: 3 },
  qualities: ['low', 'medium', 'high', 'auto'],
  outputFormats: ['png', 'jpeg', 'webp'],
  backgrounds: ['auto', 'opaque', 'transparent'],
  imageToImage: true,
  maxInputImages: 16,
};
const catalog: ProvidersCatalog = {
  providers: [
    { id: 'demo', label: 'Demo', isDemo: true, configured: true, models: [{ id: 'demo-shapes-v1', label: 'Demo shapes', capabilities: demoCapabilities }] },
    { id: 'openai', label: 'OpenAI', isDemo: false, configured: true, models: [{ id: 'gpt-image-2', label: 'GPT Image 2', capabilities: openAiCapabilities }] },
  ],
  default: { provider: 'demo', model: 'demo-shapes-v1' },
};
const demo = findModel(catalog, { providerId: 'demo', modelId: 'demo-shapes-v1' })!;

function batchView(overrides: Partial<BatchView> = {}): BatchView {
  return {
    id: 'b1',
    createdAt: '2026-11-30T10:00:00.000Z',
    updatedAt: '2026-11-30T10:00:00.000Z',
    prompt: 'a red car',
    prompts: ['a red car', 'a blue car'],
    mode: 'text-to-image',
    provider: 'openai',
    model: 'gpt-image-2',
    isDemo: false,
    aspectRatio: '16:9',
    size: '1536x1024',
    quality: 'high',
    background: 'opaque',
    numberOfImages: 2,
    costUsd: 0,
    status: 'completed',
    total: 4,
    succeeded: 4,
    failed: 0,
    canceled: 0,
    url: '/api/batches/b1',
    eventsUrl: '/api/batches/b1/events',
    zipUrl: '/api/batches/b1/zip',
    lastSequence: 9,
    ...overrides,
  };
}

describe('fillFromBatch ("Use these settings")', () => {
  it('takes the prompts one a line, the model, its options and the images per prompt', () => {
    const fill = fillFromBatch(batchView(), catalog, demo);
    expect(fill.prompt).toBe('a red car\na blue car');
    expect(fill.choice).toEqual({ providerId: 'openai', modelId: 'gpt-image-2' });
    expect(fill.numberOfImages).toBe(2);
    expect(fill.options).toMatchObject({ aspectRatio: '16:9', size: '1536x1024', quality: 'high', background: 'opaque', outputFormat: 'png' });
  });

  it('keeps the current model when the batch’s is not offered, with only what that model takes', () => {
    const fill = fillFromBatch(batchView({ provider: 'gemini', model: 'gone', numberOfImages: 5 }), catalog, demo);
    expect(fill.choice).toBeUndefined();
    expect(fill.numberOfImages).toBe(4);
    expect(fill.options).toEqual({ ...defaultOptionValues(demoCapabilities), aspectRatio: '16:9' });
  });

  it('puts an exact size the model takes in the custom size field', () => {
    const fill = fillFromBatch(batchView({ size: '1536x864' }), catalog, demo);
    expect(fill.options).toMatchObject({ size: 'custom', customSize: '1536x864' });
  });
});

describe('fillFromEmbeddedParameters (a dropped PNG)', () => {
  it('takes an AUTOMATIC1111 prompt and the aspect ratio the current model offers; the rest stays', () => {
    const current = { ...defaultOptionValues(demoCapabilities), outputFormat: 'webp' as const };
    const fill = fillFromEmbeddedParameters(
      { source: 'automatic1111', prompt: 'a cat on a windowsill', negativePrompt: 'blurry', modelId: 'v1-5-pruned', aspectRatio: '2:3', size: '512x768', settings: {} },
      catalog,
      demo,
      current,
    );
    expect(fill).toEqual({ prompt: 'a cat on a windowsill', options: { ...current, aspectRatio: '2:3' } });
  });

  it('chooses this app’s model when the server offers it, and a size the model takes', () => {
    const fill = fillFromEmbeddedParameters(
      { source: 'imagegen', prompt: 'a lighthouse', providerId: 'openai', modelId: 'gpt-image-2', aspectRatio: '3:2', size: '1536x1024', settings: {} },
      catalog,
      demo,
      defaultOptionValues(demoCapabilities),
    );
    expect(fill.choice).toEqual({ providerId: 'openai', modelId: 'gpt-image-2' });
    expect(fill.options).toMatchObject({ aspectRatio: '3:2', size: '1536x1024' });
  });

  it('leaves out a size the model can’t take', () => {
    const openAi = findModel(catalog, { providerId: 'openai', modelId: 'gpt-image-2' })!;
    const fill = fillFromEmbeddedParameters({ source: 'comfyui', prompt: 'tiny', size: '64x64', settings: {} }, catalog, openAi, defaultOptionValues(openAiCapabilities));
    expect(fill.options.size).toBe('');
  });
});

describe('moreLikeThisRequest', () => {
  it('makes one image from the image’s own prompt with the batch’s model and options', () => {
    const request = moreLikeThisRequest(batchView(), 3);
    expect(request).toEqual({
      prompts: ['a blue car'],
      numberOfImages: 1,
      provider: 'openai',
      model: 'gpt-image-2',
      aspectRatio: '16:9',
      size: '1536x1024',
      quality: 'high',
      background: 'opaque',
    });
  });

  it('prefers the item’s prompt, and carries the input images', () => {
    const items = [{ index: 1, prompt: 'from the item', status: 'succeeded' as const, attempts: 1 }];
    const image = new File(['x'], 'input.png', { type: 'image/png' });
    const request = moreLikeThisRequest(batchView({ items }), 1, [image]);
    expect(request.prompts).toEqual(['from the item']);
    expect(request.images).toEqual([image]);
  });
});

describe('the diffusion controls ("More options") in fills', () => {
  const sdCapabilities: ModelCapabilities = {
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
  const sdCatalog: ProvidersCatalog = {
    providers: [...catalog.providers, { id: 'a1111', label: 'AUTOMATIC1111', isDemo: false, configured: true, models: [{ id: 'default', label: 'Loaded checkpoint', capabilities: sdCapabilities }] }],
    default: catalog.default,
  };
  const sd = findModel(sdCatalog, { providerId: 'a1111', modelId: 'default' })!;
  const sdBatch = batchView({ provider: 'a1111', model: 'default', size: undefined, quality: undefined, background: undefined, negativePrompt: 'fog', seed: 7, steps: 30, cfgScale: 6.5, sampler: 'Euler a' });

  it('"Use these settings" brings them back, on a model that takes them', () => {
    expect(fillFromBatch(sdBatch, sdCatalog, demo).options).toMatchObject({ negativePrompt: 'fog', seed: '7', steps: '30', cfgScale: '6.5', sampler: 'Euler a' });
  });

  it('a dropped AUTOMATIC1111 PNG fills them; a sampler the model does not list is left out', () => {
    const parameters = {
      source: 'automatic1111' as const,
      prompt: 'a cat',
      negativePrompt: 'blurry',
      seed: '1234567890',
      settings: { Steps: '20', Sampler: 'DPM++ 2M Karras', 'CFG scale': '7' },
    };
    const fill = fillFromEmbeddedParameters(parameters, sdCatalog, sd, defaultOptionValues(sdCapabilities));
    expect(fill.options).toMatchObject({ negativePrompt: 'blurry', seed: '1234567890', steps: '20', cfgScale: '7', sampler: '' });
  });

  it('"More like this" keeps the controls but not the seed (the same seed would make the same image)', () => {
    const request = moreLikeThisRequest(sdBatch, 1);
    expect(request).toMatchObject({ negativePrompt: 'fog', steps: 30, cfgScale: 6.5, sampler: 'Euler a' });
    expect(request.seed).toBeUndefined();
  });
});
