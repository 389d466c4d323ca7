import { describe, expect, it } from 'vitest';
import { toRequestBody } from './batch-api';

describe('toRequestBody', () => {
  it('sends JSON with the chosen provider, model and options (only those set)', () => {
    const { body, headers } = toRequestBody({ prompt: 'a cat', numberOfImages: 2, provider: 'demo', model: 'demo-shapes-v1', aspectRatio: '21:9', outputFormat: 'webp' });
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

  it('sends a multipart form with one image field per input image', () => {
    const images = [new File(['a'], 'a.png', { type: 'image/png' }), new File(['b'], 'b.webp', { type: 'image/webp' })];
    const request = { prompt: 'merge them', numberOfImages: 1, model: 'gpt-image-2', size: '1536x864' as const, quality: 'high' as const, images };
    const { body, headers } = toRequestBody(request);
    expect(headers).toEqual({});
    const form = body as FormData;
    expect(form.getAll('image').map((file) => (file as File).name)).toEqual(['a.png', 'b.webp']);
    expect(form.get('size')).toBe('1536x864');
    expect(form.get('quality')).toBe('high');
    expect(form.get('model')).toBe('gpt-image-2');
    expect(form.get('background')).toBeNull();
  });
});
