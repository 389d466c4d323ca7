import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonRequest, readSseEvents, useTestApp } from '@/lib/server/testing/route-test-helpers';
import { POST } from './route';

afterEach(() => vi.unstubAllEnvs());

async function samplePicture(format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .toFormat(format)
    .toBuffer();
}

function multipartRequest(fields: Record<string, string>, file?: { bytes: Uint8Array; name: string; type: string }, headers = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  if (file) form.set('image', new Blob([Uint8Array.from(file.bytes)], { type: file.type }), file.name);
  return new Request('http://127.0.0.1/api/generate-with-image', { method: 'POST', body: form, headers });
}

describe('POST /api/generate-with-image', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('transforms an uploaded %s (multipart) into N images', async (format) => {
    const { generateSpy } = useTestApp();
    const input = await samplePicture(format);
    const response = await POST(
      multipartRequest({ prompt: 'make it glow', numberOfImages: '2' }, { bytes: input, name: `in.${format}`, type: `image/${format}` }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ success: 2, failed: 0 });
    const output = await sharp(Buffer.from(body.images[0].data, 'base64')).metadata();
    expect(output).toMatchObject({ format: 'png', width: 64, height: 48 });
    const sent = generateSpy.mock.calls[0][0];
    expect(sent.inputImages?.map((image) => image.mimeType)).toEqual([format === 'jpeg' ? 'image/jpeg' : `image/${format}`]);
    expect(Buffer.from(sent.inputImages![0]!.bytes).equals(input)).toBe(true);
  });

  it('accepts JSON with a base64 image, and reports the true type even when the declared one is wrong', async () => {
    const { generateSpy } = useTestApp();
    const input = await samplePicture('jpeg');
    const response = await POST(
      jsonRequest('/api/generate-with-image', {
        prompt: 'json upload',
        numberOfImages: 1,
        image: { data: input.toString('base64'), mimeType: 'image/png' },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: 1, failed: 0 });
    expect(generateSpy.mock.calls[0][0].inputImages?.[0]?.mimeType).toBe('image/jpeg');
  });

  it('streams with mode image-to-image', async () => {
    useTestApp();
    const input = await samplePicture();
    const response = await POST(
      multipartRequest({ prompt: 'stream it' }, { bytes: input, name: 'in.png', type: 'image/png' }, { accept: 'text/event-stream' }),
    );
    const { events } = await readSseEvents(response);
    expect(events[0]).toMatchObject({ type: 'batch-start', mode: 'image-to-image', total: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'batch-end', status: 'completed' });
  });

  describe('bad input: 400 naming the field, nothing generated', () => {
    it('a file that is not an image, even when it claims to be', async () => {
      const { generateSpy } = useTestApp();
      const fake = new TextEncoder().encode('this is a text file, not a png');
      const response = await POST(multipartRequest({ prompt: 'a' }, { bytes: fake, name: 'in.png', type: 'image/png' }));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'The uploaded file is not a PNG, JPEG, WebP image.', field: 'image' });
      expect(generateSpy).not.toHaveBeenCalled();
    });

    it('an image format we do not accept (GIF)', async () => {
      const { generateSpy } = useTestApp();
      const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } }).gif().toBuffer();
      const response = await POST(multipartRequest({ prompt: 'a' }, { bytes: gif, name: 'in.gif', type: 'image/gif' }));
      expect(response.status).toBe(400);
      expect((await response.json()).field).toBe('image');
      expect(generateSpy).not.toHaveBeenCalled();
    });

    it('a file over 10 MB', async () => {
      const { generateSpy } = useTestApp();
      const big = new Uint8Array(10 * 1024 * 1024 + 1);
      const response = await POST(multipartRequest({ prompt: 'a' }, { bytes: big, name: 'big.png', type: 'image/png' }));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'The uploaded image is 10.0 MB; the limit is 10 MB.', field: 'image' });
      expect(generateSpy).not.toHaveBeenCalled();
    });

    it('no file at all', async () => {
      const { generateSpy } = useTestApp();
      const response = await POST(multipartRequest({ prompt: 'a' }));
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatch(/Attach an image file/);
      expect(generateSpy).not.toHaveBeenCalled();
    });

    it('a missing prompt is reported before the image is read', async () => {
      useTestApp();
      const response = await POST(multipartRequest({ numberOfImages: '2' }, { bytes: await samplePicture(), name: 'a.png', type: 'image/png' }));
      expect(response.status).toBe(400);
      expect((await response.json()).field).toBe('prompt');
    });

    it('a count outside 1-4 in the form', async () => {
      useTestApp();
      const response = await POST(
        multipartRequest({ prompt: 'a', numberOfImages: '9' }, { bytes: await samplePicture(), name: 'a.png', type: 'image/png' }),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).field).toBe('numberOfImages');
    });

    it('JSON with base64 that is not base64', async () => {
      const { generateSpy } = useTestApp();
      const response = await POST(jsonRequest('/api/generate-with-image', { prompt: 'a', image: { data: '***not base64***' } }));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'image.data is not valid base64.', field: 'image' });
      expect(generateSpy).not.toHaveBeenCalled();
    });

    it('JSON without an image', async () => {
      useTestApp();
      const response = await POST(jsonRequest('/api/generate-with-image', { prompt: 'a' }));
      expect(response.status).toBe(400);
      expect((await response.json()).field).toBe('image');
    });

    it('a body that is neither multipart nor JSON', async () => {
      useTestApp();
      const response = await POST(
        new Request('http://127.0.0.1/api/generate-with-image', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatch(/multipart\/form-data/);
    });
  });
});
