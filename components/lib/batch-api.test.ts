import { describe, expect, it } from 'vitest';
import { toRequestBody } from './batch-api';

describe('toRequestBody', () => {
  it('sends JSON with the chosen provider, model and options (only those set)', () => {
    const { body, headers } = toRequestBody({ prompts: ['a cat'], numberOfImages: 2, provider: 'demo', model: 'demo-shapes-v1', aspectRatio: '21:9', outputFormat: 'webp' });
    expect(headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(body as string)).toEqual({
      prompt: 'a cat',
      numberOfImages: 2,
      provider: 'demo',
      model: 'demo-shapes-v1',
      aspectRatio: '21:9',
      outputFormat: 'webp',
    });
  });

  it('sends the diffusion controls, zeros included, as numbers in JSON and as text in a form', () => {
    const controls = { negativePrompt: 'fog', seed: 0, steps: 30, cfgScale: 6.5, sampler: 'Euler a', denoisingStrength: 0 };
    const json = toRequestBody({ prompts: ['a cat'], numberOfImages: 1, ...controls });
    expect(JSON.parse(json.body as string)).toEqual({ prompt: 'a cat', numberOfImages: 1, ...controls });
    const image = new File([new Uint8Array([1])], 'a.png', { type: 'image/png' });
    const form = toRequestBody({ prompts: ['a cat'], numberOfImages: 1, images: [image], ...controls }).body as FormData;
    expect([form.get('seed'), form.get('steps'), form.get('cfgScale'), form.get('denoisingStrength'), form.get('sampler')]).toEqual(['0', '30', '6.5', '0', 'Euler a']);
  });

  it('sends a multipart form with one image field per input image', () => {
    const images = [new File(['a'], 'a.png', { type: 'image/png' }), new File(['b'], 'b.webp', { type: 'image/webp' })];
    const request = { prompts: ['merge them'], numberOfImages: 1, model: 'gpt-image-2', size: '1536x864' as const, quality: 'high' as const, images };
    const { body, headers } = toRequestBody(request);
    expect(headers).toEqual({});
    const form = body as FormData;
    expect(form.getAll('image').map((file) => (file as File).name)).toEqual(['a.png', 'b.webp']);
    expect(form.get('size')).toBe('1536x864');
    expect(form.get('quality')).toBe('high');
    expect(form.get('model')).toBe('gpt-image-2');
    expect(form.get('background')).toBeNull();
    expect(form.get('prompt')).toBe('merge them');
    expect(form.getAll('prompts')).toEqual([]);
  });

  it('sends several prompts as a `prompts` array in JSON', () => {
    const { body } = toRequestBody({ prompts: ['a red car', 'a blue car'], numberOfImages: 3, provider: 'demo' });
    expect(JSON.parse(body as string)).toEqual({ prompts: ['a red car', 'a blue car'], numberOfImages: 3, provider: 'demo' });
  });

  it('sends several prompts as repeated `prompts` fields in a multipart form', () => {
    const images = [new File(['a'], 'a.png', { type: 'image/png' })];
    const form = toRequestBody({ prompts: ['as a watercolor', 'as a sketch'], numberOfImages: 2, images }).body as FormData;
    expect(form.getAll('prompts')).toEqual(['as a watercolor', 'as a sketch']);
    expect(form.get('prompt')).toBeNull();
    expect(form.get('numberOfImages')).toBe('2');
  });
});
