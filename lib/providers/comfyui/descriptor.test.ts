import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProviders, ProviderConfigError } from '../registry';

const settings = { timeoutMs: 1_000 };

describe('the ComfyUI descriptor', () => {
  it('is off without COMFYUI_URL (keyless: the URL is its whole configuration)', () => {
    const comfyui = loadProviders({}, settings).get('comfyui')!;
    expect(comfyui.info).toMatchObject({ configured: false, models: [] });
    expect(comfyui.descriptor.configureHint).toBe('set COMFYUI_URL');
  });

  it('with a URL offers the shipped workflow as its one free model, image-to-image included', () => {
    const comfyui = loadProviders({ COMFYUI_URL: 'http://127.0.0.1:8188' }, settings).get('comfyui')!;
    expect(comfyui.info.configured).toBe(true);
    expect(comfyui.info.models).toEqual([
      expect.objectContaining({ id: 'default', price: { perImageUsd: { '*': 0 } }, capabilities: expect.objectContaining({ imageToImage: true, maxInputImages: 1, outputFormats: ['png'] }) }),
    ]);
    expect(comfyui.providerFor(comfyui.info.models[0]!)).toMatchObject({ id: 'comfyui', modelId: 'default', isDemo: false });
    // The shipped workflow maps every control but the sampler: the page offers those, with the template's values as defaults.
    expect(comfyui.info.models[0]!.capabilities.extraOptions).toEqual({
      seed: true,
      negativePrompt: true,
      steps: { min: 1, max: 150, default: 20 },
      cfgScale: { min: 1, max: 30, default: 7 },
    });
    // Keyless and local: no spacing between prompts by default (concurrency stays the global 1).
    expect(comfyui.descriptor.pacingDefaults).toEqual({ mode: 'sequential', minIntervalMs: 0 });
  });

  it('reads a custom workflow and its mapping at start-up; the model is named after the file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'comfyui-env-'));
    const path = join(folder, 'sdxl-turbo.json');
    writeFileSync(path, JSON.stringify({ '6': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } } }));
    writeFileSync(join(folder, 'sdxl-turbo.mapping.json'), JSON.stringify({ prompt: { node: '6', input: 'text' } }));
    const comfyui = loadProviders({ COMFYUI_URL: 'http://127.0.0.1:8188', COMFYUI_WORKFLOW: path }, settings).get('comfyui')!;
    expect(comfyui.info.models[0]!.id).toBe('sdxl-turbo');
  });

  it('a bad URL, a missing workflow file or an image workflow without inputImage fails the configuration', () => {
    expect(() => loadProviders({ COMFYUI_URL: 'localhost:8188' }, settings)).toThrow(/COMFYUI_URL: must be an http\(s\) URL/);
    expect(() => loadProviders({ COMFYUI_URL: 'http://127.0.0.1:8188', COMFYUI_WORKFLOW: '/nonexistent/flow.json' }, settings)).toThrow(ProviderConfigError);
    const folder = mkdtempSync(join(tmpdir(), 'comfyui-env-'));
    const path = join(folder, 'edit.json');
    writeFileSync(path, JSON.stringify({ '6': { class_type: 'CLIPTextEncode', inputs: { text: '' } } }));
    writeFileSync(join(folder, 'edit.mapping.json'), JSON.stringify({ prompt: { node: '6', input: 'text' } }));
    expect(() => loadProviders({ COMFYUI_URL: 'http://127.0.0.1:8188', COMFYUI_IMAGE_WORKFLOW: path }, settings)).toThrow(/COMFYUI_IMAGE_WORKFLOW_MAPPING: must name inputImage/);
  });
});
