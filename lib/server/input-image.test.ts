import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/core';
import { transformDemoPicture } from '@/lib/providers/demo/demo-picture';
import { readInputImage } from './input-image';

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { status?: number; field?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** 128 × 96 of noise, so most of an encoded file is pixel data. */
function noisePixels(): { data: Buffer; raw: { width: number; height: number; channels: 3 } } {
  const data = Buffer.alloc(128 * 96 * 3);
  for (let offset = 0; offset < data.length; offset += 1) data[offset] = (offset * 7919) % 251;
  return { data, raw: { width: 128, height: 96, channels: 3 } };
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

  // Found by the route fuzzer (app/api/routes.fuzz.test.ts): each was accepted, then every image
  // of its batch failed ("Internal error"; a 502 from /api/generate-with-image).
  it('refuses a truncated interlaced PNG (whose stats() answered no channels instead of failing)', async () => {
    const { data, raw } = noisePixels();
    const png = await sharp(data, { raw }).png({ progressive: true }).toBuffer();
    const truncated = new Uint8Array(png.subarray(0, Math.floor(png.length * 0.7)));
    expect((await sharp(truncated).metadata()).isProgressive).toBe(true);
    const error = await rejectionOf(readInputImage(truncated));
    expect(error).toMatchObject({ status: 400, field: 'image', message: expect.stringMatching(/damaged or cut short/) });
  });

  it('refuses a JPEG whose coded data is corrupt (libjpeg only warns: "bad Huffman code"), which nothing later can decode', async () => {
    const { data, raw } = noisePixels();
    const jpeg = await sharp(data, { raw }).jpeg({ quality: 90 }).toBuffer();
    const corrupt = Buffer.from(jpeg);
    corrupt.fill(0x00, Math.floor(corrupt.length / 2), Math.floor(corrupt.length / 2) + 64);
    await expect(transformDemoPicture(corrupt, 'warmer', 1)).rejects.toThrow(/Corrupt JPEG data/);
    const error = await rejectionOf(readInputImage(new Uint8Array(corrupt)));
    expect(error).toMatchObject({ status: 400, field: 'image', message: expect.stringMatching(/damaged or cut short/) });
  });

  it('accepts the odd but whole images cameras and editors make, and the demo transforms each', async () => {
    const { data, raw } = noisePixels();
    const base = () => sharp(data, { raw });
    const images = {
      'interlaced PNG': await base().png({ progressive: true }).toBuffer(),
      '16-bit PNG': await base().toColourspace('rgb16').png().toBuffer(),
      'palette PNG': await base().png({ palette: true, colours: 8 }).toBuffer(),
      'progressive JPEG': await base().jpeg({ progressive: true }).toBuffer(),
      'CMYK JPEG': await base().toColourspace('cmyk').jpeg().toBuffer(),
      'rotated JPEG (EXIF)': await base().jpeg().withMetadata({ orientation: 6 }).toBuffer(),
      'JPEG with bytes after its end': Buffer.concat([await base().jpeg().toBuffer(), Buffer.from('trailing')]),
      'lossless WebP': await base().webp({ lossless: true }).toBuffer(),
    };
    for (const [name, bytes] of Object.entries(images)) {
      const image = await readInputImage(new Uint8Array(bytes)).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
      await transformDemoPicture(image.bytes, 'warmer', 1);
    }
  });
});
