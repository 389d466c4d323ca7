import { describe, expect, it } from 'vitest';
import { loadProviders, ProviderConfigError } from './registry';

const settings = { timeoutMs: 1_000 };

describe('loadProviders (providers composed from their descriptors)', () => {
  it('knows every provider; only those with their configuration are configured; the demo always is', () => {
    const providers = loadProviders({ OPENAI_API_KEY: 'sk-test' }, settings);
    expect([...providers.keys()]).toEqual(['gemini', 'openai', 'openrouter', 'a1111', 'comfyui', 'demo']);
    expect([...providers.values()].map((provider) => [provider.info.id, provider.info.configured])).toEqual([
      ['gemini', false],
      ['openai', true],
      ['openrouter', false],
      ['a1111', false],
      ['comfyui', false],
      ['demo', true],
    ]);
    expect(providers.get('gemini')!.info.models).toEqual([]);
    expect(providers.get('gemini')!.descriptor.configureHint).toBe('set GEMINI_API_KEY');
  });

  it('a model list narrows or extends the known models, in its order; unknown ids get the common capabilities', () => {
    const providers = loadProviders({ OPENAI_API_KEY: 'sk-test', OPENAI_IMAGE_MODELS: 'gpt-image-1-mini, my-compatible-model' }, settings);
    const models = providers.get('openai')!.info.models;
    expect(models.map((model) => model.id)).toEqual(['gpt-image-1-mini', 'my-compatible-model']);
    expect(models[1]).toMatchObject({ label: 'my-compatible-model', capabilities: { sizes: ['1024x1024', '1536x1024', '1024x1536'] } });
    expect(models[1]!.price).toBeUndefined();
  });

  it('the older single-model variable makes that model the default, the rest still offered', () => {
    const providers = loadProviders({ GEMINI_API_KEY: 'key', GEMINI_MODEL: 'gemini-3-pro-image' }, settings);
    const ids = providers.get('gemini')!.info.models.map((model) => model.id);
    expect(ids[0]).toBe('gemini-3-pro-image');
    expect(ids).toContain('gemini-nano-banana-2.1');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('price overrides replace the list price per model', () => {
    const providers = loadProviders({ OPENAI_API_KEY: 'sk-test', OPENAI_PRICE_PER_IMAGE_USD: 'chatgpt-image-latest=0.05' }, settings);
    const model = providers.get('openai')!.info.models.find((candidate) => candidate.id === 'chatgpt-image-latest');
    expect(model!.price).toEqual({ perImageUsd: { '*': 0.05 } });
  });

  it('names a bad variable, never its value', () => {
    expect(() => loadProviders({ OPENAI_PRICE_PER_IMAGE_USD: 'cheap', DEMO_LATENCY_MS: '-5' }, settings)).toThrow(ProviderConfigError);
    const error = captureError(() => loadProviders({ OPENAI_PRICE_PER_IMAGE_USD: 'secret-looking-value' }, settings));
    expect(error.message).toMatch(/OPENAI_PRICE_PER_IMAGE_USD/);
    expect(error.message).not.toContain('secret-looking-value');
  });

  it('openrouter: its key turns it on; its default models have no price (cost unknown) unless overridden', () => {
    const providers = loadProviders({ OPENROUTER_API_KEY: 'sk-or-v1-test', OPENROUTER_PRICE_PER_IMAGE_USD: 'openai/gpt-5-image=0.04' }, settings);
    const openrouter = providers.get('openrouter')!;
    expect(openrouter.info.configured).toBe(true);
    expect(openrouter.descriptor.configureHint).toBe('set OPENROUTER_API_KEY');
    const models = openrouter.info.models;
    expect(models.map((model) => model.id)).toEqual([
      'google/gemini-2.5-flash-image',
      'google/gemini-3-pro-image-preview',
      'openai/gpt-5-image',
      'black-forest-labs/flux.2-pro',
    ]);
    expect(models[0]!.price).toBeUndefined();
    expect(models.find((model) => model.id === 'openai/gpt-5-image')!.price).toEqual({ perImageUsd: { '*': 0.04 } });
    expect(openrouter.providerFor(models[0]!)).toMatchObject({ id: 'openrouter', modelId: 'google/gemini-2.5-flash-image', isDemo: false });
  });

  it('openrouter: OPENROUTER_MODELS chooses the models offered, unknown ids included', () => {
    const providers = loadProviders({ OPENROUTER_API_KEY: 'sk-or-v1-test', OPENROUTER_MODELS: 'some-lab/new-image-model, openai/gpt-5-image' }, settings);
    const models = providers.get('openrouter')!.info.models;
    expect(models.map((model) => model.id)).toEqual(['some-lab/new-image-model', 'openai/gpt-5-image']);
    expect(models[0]).toMatchObject({ label: 'some-lab/new-image-model', capabilities: { imageToImage: true, sizes: [] } });
  });

  it('builds one adapter per model, on first use', () => {
    const demo = loadProviders({}, settings).get('demo')!;
    const [model] = demo.info.models;
    const adapter = demo.providerFor(model!);
    expect(demo.providerFor(model!)).toBe(adapter);
    expect(adapter).toMatchObject({ id: 'demo', modelId: 'demo-shapes-v1', isDemo: true });
  });
});

function captureError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
