import { describe, expect, it } from 'vitest';
import { loadProviders } from '../registry';
import { a1111SizeFor } from './a1111-size';
import { baseEdgeFor } from './a1111-models';
import { a1111Descriptor } from './descriptor';

const settings = { timeoutMs: 60_000 };

describe('a1111 descriptor', () => {
  it('is off without A1111_URL and says what to set', () => {
    const a1111 = loadProviders({}, settings).get('a1111')!;
    expect(a1111.info).toMatchObject({ configured: false, models: [] });
    expect(a1111.descriptor.configureHint).toBe('set A1111_URL');
  });

  it('offers the loaded checkpoint as "default" without A1111_MODELS, with the diffusion controls', () => {
    const a1111 = loadProviders({ A1111_URL: 'http://127.0.0.1:7860' }, settings).get('a1111')!;
    expect(a1111.info.models.map((model) => model.id)).toEqual(['default']);
    expect(a1111.info.models[0]!.capabilities.extraOptions).toMatchObject({
      negativePrompt: true,
      seed: true,
      steps: { min: 1, max: 150, default: 20 },
      cfgScale: { min: 1, max: 30, default: 7 },
      denoisingStrength: true,
    });
    expect(a1111.info.models[0]!.capabilities.extraOptions?.samplers?.[0]).toBe('DPM++ 2M');
  });

  it('offers A1111_MODELS in order, with A1111_SAMPLERS', () => {
    const env = a1111Descriptor.envSchema.parse({ A1111_URL: 'http://gpu:7860', A1111_MODELS: 'sdxl, v1-5-pruned-emaonly', A1111_SAMPLERS: 'Euler a,DDIM' });
    const models = a1111Descriptor.models(env);
    expect(models.map((model) => model.id)).toEqual(['sdxl', 'v1-5-pruned-emaonly']);
    expect(models[0]!.capabilities.extraOptions?.samplers).toEqual(['Euler a', 'DDIM']);
  });

  it('refuses a URL that is not http(s) and an A1111_AUTH that is not user:pass, never echoing it', () => {
    expect(() => loadProviders({ A1111_URL: 'gpu:7860' }, settings)).toThrow(/A1111_URL/);
    expect(() => loadProviders({ A1111_URL: 'http://gpu:7860', A1111_AUTH: 'justapassword' }, settings)).toThrow(/A1111_AUTH: must be user:pass/);
    expect(() => loadProviders({ A1111_URL: 'http://gpu:7860', A1111_AUTH: 'justapassword' }, settings)).not.toThrow(/justapassword/);
  });
});

describe('a1111 sizes', () => {
  it('reads the family from the checkpoint name: 512 for SD 1.x/2.x, 1024 otherwise', () => {
    expect(['v1-5-pruned-emaonly', 'sd15-dreamshaper', 'SD-1.5 anime', 'v2-1_768-ema'].map(baseEdgeFor)).toEqual([512, 512, 512, 512]);
    expect(['sd_xl_base_1.0', 'ponyDiffusionV6XL', 'default', 'flux1-dev'].map(baseEdgeFor)).toEqual([1024, 1024, 1024, 1024]);
  });

  it('keeps the native area in the asked ratio, in multiples of 8; 2K doubles the edges within 2048', () => {
    expect(a1111SizeFor({}, 'default')).toEqual({ width: 1024, height: 1024 });
    expect(a1111SizeFor({ aspectRatio: '9:16' }, 'default')).toEqual({ width: 768, height: 1368 });
    expect(a1111SizeFor({ size: '2K' }, 'default')).toEqual({ width: 2048, height: 2048 });
    expect(a1111SizeFor({ size: '2K', aspectRatio: '16:9' }, 'default')).toEqual({ width: 2048, height: 1152 });
    expect(a1111SizeFor({ size: '1K' }, 'v1-5-pruned-emaonly')).toEqual({ width: 512, height: 512 });
  });
});
