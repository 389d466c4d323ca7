import sharp from 'sharp';
import { supportedInputMimeTypes, type InputImage, type InputMimeType } from '@/lib/core';
import { InputError } from './input-error';
import { maxInputImageBytes } from './request-limits';

/** Most pixels an upload may decode to (8192 × 5120): a small file can hide a huge image (a decompression bomb). */
export const maxInputImagePixels = 8192 * 5120;

const mimeTypeBySharpFormat: Record<string, InputMimeType> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

/**
 * Checks that uploaded bytes really are a PNG, JPEG or WebP image (by decoding the header, not by
 * trusting the declared type or the file name) and returns them with their true MIME type.
 */
export async function readInputImage(bytes: Uint8Array): Promise<InputImage> {
  if (bytes.byteLength === 0) {
    throw new InputError('The uploaded image is empty.', { field: 'image' });
  }
  if (bytes.byteLength > maxInputImageBytes) {
    const megabytes = (bytes.byteLength / 1024 / 1024).toFixed(1);
    throw new InputError(`The uploaded image is ${megabytes} MB; the limit is 10 MB.`, { field: 'image' });
  }
  let format: string | undefined;
  try {
    const metadata = await sharp(bytes).metadata();
    format = metadata.format;
  } catch {
    format = undefined;
  }
  const mimeType = format ? mimeTypeBySharpFormat[format] : undefined;
  if (!mimeType) {
    throw new InputError(`The uploaded file is not a ${supportedInputMimeTypes.map(formatName).join(', ')} image.`, {
      field: 'image',
    });
  }
  await assertDecodesWhole(bytes);
  return { bytes, mimeType };
}

/**
 * Decodes every pixel (libvips streams it, so memory stays small): a header that parses can still
 * hide a truncated or corrupt body, which would fail every provider call of the batch later.
 *
 * Found by the route fuzzer (an upload accepted, then every image of its batch failed: a 502 from
 * /api/generate-with-image): the decode must be as strict as the later ones, which use sharp's
 * default `failOn: 'warning'`, since corrupt data that libjpeg and libpng only warn about (a bad
 * Huffman code, a bad filter byte) fails them all the same. And it must produce pixels, not
 * `stats()`: on a truncated interlaced PNG that answers no channels at all instead of throwing. A
 * small resize reads every row (and every JPEG coefficient), like the demo's own resize.
 */
async function assertDecodesWhole(bytes: Uint8Array): Promise<void> {
  try {
    await sharp(bytes, { failOn: 'warning', limitInputPixels: maxInputImagePixels, sequentialRead: true })
      .resize({ width: 64, height: 64, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer();
  } catch (error) {
    const isTooLarge = error instanceof Error && /pixel limit/i.test(error.message);
    throw new InputError(
      isTooLarge
        ? `The uploaded image has too many pixels: at most ${maxInputImagePixels.toLocaleString('en-US')} (8192 × 5120).`
        : 'The uploaded image is damaged or cut short: it does not decode. Export it again and retry.',
      { field: 'image' },
    );
  }
}

function formatName(mimeType: InputMimeType): string {
  return { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/webp': 'WebP' }[mimeType];
}
