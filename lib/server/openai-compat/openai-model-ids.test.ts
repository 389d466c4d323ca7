import { describe, expect, it } from 'vitest';
import type { ModelCapabilities, ProvidersCatalog } from '@/lib/core';
import { isOpenAICompatError } from './openai-error';
import { resolveOpenAIModel, toOpenAIModelList } from './openai-model-ids';

const capabilities = {} as ModelCapabilities;
const catalog: ProvidersCatalog = {
  providers: [
    { id: 'openai', label: 'OpenAI', isDemo: false, configured: true, models: [{ id: 'gpt-image-2.5-flare', label: 'F', capabilities }, { id: 'shared-id', label: 'S', capabilities }] },
    { id: 'gemini', label: 'Gemini', isDemo: false, configured: true, models: [{ id: 'gemini-3-pro-image', label: 'G', capabilities }, { id: 'shared-id', label: 'S', capabilities }] },
  ],
  default: { provider: 'gemini', model: 'gemini-3-pro-image' },
};

describe('resolveOpenAIModel', () => {
  it('takes provider/model, a bare model id, a bare provider id, or nothing (the default)', () => {
    expect(resolveOpenAIModel(catalog, 'openai/shared-id')).toEqual({ providerId: 'openai', modelId: 'shared-id' });
    expect(resolveOpenAIModel(catalog, 'gpt-image-2.5-flare')).toEqual({ providerId: 'openai', modelId: 'gpt-image-2.5-flare' });
    expect(resolveOpenAIModel(catalog, 'openai')).toEqual({ providerId: 'openai', modelId: 'gpt-image-2.5-flare' });
    expect(resolveOpenAIModel(catalog, undefined)).toEqual({ providerId: 'gemini', modelId: 'gemini-3-pro-image' });
  });

  it('finds a bare id offered twice on the default provider first', () => {
    expect(resolveOpenAIModel(catalog, 'shared-id')).toEqual({ providerId: 'gemini', modelId: 'shared-id' });
  });

  it('answers 404 model_not_found for anything else', () => {
    for (const model of ['dall-e-3', 'openai/gemini-3-pro-image', 'nobody/gpt-image-2.5-flare']) {
      try {
        resolveOpenAIModel(catalog, model);
        throw new Error(`${model} resolved`);
      } catch (error) {
        expect(isOpenAICompatError(error) && { status: error.status, param: error.param, code: error.code }).toEqual({ status: 404, param: 'model', code: 'model_not_found' });
      }
    }
  });
});

describe('toOpenAIModelList', () => {
  it('lists every model as provider/model, owned by its provider', () => {
    expect(toOpenAIModelList(catalog, 1_700_000_000)).toEqual({
      object: 'list',
      data: [
        { id: 'openai/gpt-image-2.5-flare', object: 'model', created: 1_700_000_000, owned_by: 'openai' },
        { id: 'openai/shared-id', object: 'model', created: 1_700_000_000, owned_by: 'openai' },
        { id: 'gemini/gemini-3-pro-image', object: 'model', created: 1_700_000_000, owned_by: 'gemini' },
        { id: 'gemini/shared-id', object: 'model', created: 1_700_000_000, owned_by: 'gemini' },
      ],
    });
  });
});
