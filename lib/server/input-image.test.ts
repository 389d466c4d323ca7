import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/core';
import { readInputImage } from './input-image';

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { status?: number; field?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('readInputImage', () => {
  it('accepts a whole image, by what its bytes are', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } }).png().toBuffer();
    await expect(readInputImage(new Uint8Array(png))).resolves.toMatchObject({ mimeType: 'image/png' });
  });

  it('refuses a truncated image whose header still parses: a 400 on image, in words', async () => {
    const noise = Buffer.alloc(256 * 256 * 3);
    for (let offset = 0; offset < noise.length; offset += 1) noise[offset] = (offset * 7919) % 251;
    const png = await sharp(noise, { raw: { width: 256, height: 256, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const truncated = png.subarray(0, Math.floor(png.length / 2));
    expect((await sharp(truncated).metadata()).format).toBe('png');
    const error = await rejectionOf(readInputImage(new Uint8Array(truncated)));
    expect(isAppError(error, 'InputError')).toBe(true);
    expect(error).toMatchObject({ status: 400, field: 'image', message: expect.stringMatching(/damaged or cut short/) });
  });

  it('refuses an image of too many pixels (a decompression bomb)', async () => {
    const huge = await sharp({ create: { width: 10_000, height: 6_000, channels: 3, background: '#000000' } }).png().toBuffer();
    const error = await rejectionOf(readInputImage(new Uint8Array(huge)));
    expect(error).toMatchObject({ status: 400, field: 'image', message: expect.stringMatching(/too many pixels/) });
  });
});
