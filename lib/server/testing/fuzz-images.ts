import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';

/**
 * Uploads for the fuzz suites: real images of every odd kind a camera or an editor makes (16-bit,
 * grey with alpha, CMYK, progressive, interlaced, palette, rotated by EXIF, 1 × 1, very long), other
 * formats, and lying files (headers claiming far more pixels than they carry), each maybe truncated,
 * bit-flipped or padded with garbage.
 */
export interface ImageFixtures {
  png: Uint8Array;
  jpeg: Uint8Array;
  webp: Uint8Array;
  png16Bit: Uint8Array;
  pngGreyAlpha: Uint8Array;
  pngPalette: Uint8Array;
  pngInterlaced: Uint8Array;
  pngOnePixel: Uint8Array;
  pngLong: Uint8Array;
  jpegCmyk: Uint8Array;
  jpegProgressive: Uint8Array;
  jpegRotated: Uint8Array;
  webpLossless: Uint8Array;
  webpAnimated: Uint8Array;
  gif: Uint8Array;
  tiff: Uint8Array;
  svg: Uint8Array;
  /** A PNG whose header claims 100000 × 100000 pixels (a decompression bomb in 60 bytes). */
  pngHugeHeader: Uint8Array;
  /** A PNG whose header claims just over the pixel limit. */
  pngOverLimit: Uint8Array;
  /** A PNG whose header claims 0 × 0. */
  pngZero: Uint8Array;
  /** A JPEG whose frame header claims 65000 × 65000 over a 64 × 48 body. */
  jpegHugeHeader: Uint8Array;
}

export const imageFixtureNames = [
  'png',
  'jpeg',
  'webp',
  'png16Bit',
  'pngGreyAlpha',
  'pngPalette',
  'pngInterlaced',
  'pngOnePixel',
  'pngLong',
  'jpegCmyk',
  'jpegProgressive',
  'jpegRotated',
  'webpLossless',
  'webpAnimated',
  'gif',
  'tiff',
  'svg',
  'pngHugeHeader',
  'pngOverLimit',
  'pngZero',
  'jpegHugeHeader',
] as const satisfies readonly (keyof ImageFixtures)[];

export async function createImageFixtures(): Promise<ImageFixtures> {
  // Noise, so most of each file is compressed pixels: a cut or a flipped byte lands in the body, past the header.
  const noise = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .png()
    .toBuffer();
  const base = sharp(noise);
  const bytes = async (image: ReturnType<typeof sharp>) => new Uint8Array(await image.toBuffer());
  const jpeg = await bytes(base.clone().jpeg());
  const frames = sharp({ create: { width: 8, height: 12, channels: 4, background: '#cc3366' } });
  return {
    png: await bytes(base.clone().png()),
    jpeg,
    webp: await bytes(base.clone().webp()),
    png16Bit: await bytes(base.clone().toColourspace('rgb16').png()),
    pngGreyAlpha: await bytes(sharp({ create: { width: 8, height: 6, channels: 4, background: { r: 9, g: 9, b: 9, alpha: 0.5 } } }).greyscale().png()),
    pngPalette: await bytes(base.clone().png({ palette: true, colours: 4 })),
    pngInterlaced: await bytes(base.clone().png({ progressive: true })),
    pngOnePixel: await bytes(sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png()),
    pngLong: await bytes(sharp({ create: { width: 4096, height: 1, channels: 3, background: '#fff' } }).png()),
    jpegCmyk: await bytes(base.clone().toColourspace('cmyk').jpeg()),
    jpegProgressive: await bytes(base.clone().jpeg({ progressive: true })),
    jpegRotated: await bytes(base.clone().jpeg().withMetadata({ orientation: 6 })),
    webpLossless: await bytes(base.clone().webp({ lossless: true })),
    // Two frames stacked as one animation.
    webpAnimated: await bytes(sharp(await frames.png().toBuffer(), { animated: true }).webp({ loop: 0 }).withMetadata()),
    gif: await bytes(base.clone().gif()),
    tiff: await bytes(base.clone().tiff()),
    svg: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'),
    pngHugeHeader: pngWithHeader(100_000, 100_000),
    pngOverLimit: pngWithHeader(8193, 5121),
    pngZero: pngWithHeader(0, 0),
    jpegHugeHeader: jpegClaiming(jpeg, 65_000, 65_000),
  };
}

/** A PNG signature, an IHDR claiming `width` × `height` (8-bit RGB), one tiny IDAT and IEND: CRCs right, pixels missing. */
function pngWithHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.byteLength);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // A zlib stream of a few zero bytes: far fewer than the header promises.
  const idat = Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array())]));
}

/** The JPEG with its SOF frame header rewritten to claim another size. */
function jpegClaiming(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const copy = Buffer.from(jpeg);
  for (let offset = 2; offset + 9 < copy.length; offset++) {
    if (copy[offset] === 0xff && (copy[offset + 1] === 0xc0 || copy[offset + 1] === 0xc2)) {
      copy.writeUInt16BE(height, offset + 5);
      copy.writeUInt16BE(width, offset + 7);
      break;
    }
  }
  return new Uint8Array(copy);
}

export type ImageMutation =
  | { kind: 'none' }
  | { kind: 'truncate'; keepFraction: number }
  | { kind: 'flip'; positions: number[] }
  | { kind: 'append'; garbage: Uint8Array }
  | { kind: 'prepend'; garbage: Uint8Array };

export interface ImageSpec {
  fixture: keyof ImageFixtures | 'random' | 'empty' | 'oversized';
  random?: Uint8Array;
  mutation: ImageMutation;
}

const imageMutationArbitrary: fc.Arbitrary<ImageMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 999 }).map((perMille) => perMille / 1000).map((keepFraction) => ({ kind: 'truncate' as const, keepFraction })) },
  { weight: 3, arbitrary: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }).map((positions) => ({ kind: 'flip' as const, positions })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((garbage) => ({ kind: 'append' as const, garbage })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((garbage) => ({ kind: 'prepend' as const, garbage })) },
);

export const imageSpecArbitrary: fc.Arbitrary<ImageSpec> = fc.oneof(
  { weight: 16, arbitrary: fc.record({ fixture: fc.constantFrom(...imageFixtureNames), mutation: imageMutationArbitrary }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }).map((random) => ({ fixture: 'random' as const, random, mutation: { kind: 'none' as const } })) },
  { weight: 1, arbitrary: fc.constant({ fixture: 'empty' as const, mutation: { kind: 'none' as const } }) },
  { weight: 1, arbitrary: fc.constant({ fixture: 'oversized' as const, mutation: { kind: 'none' as const } }) },
);

/** Just over the 10 MB upload limit, starting like a PNG. */
const oversizedImageBytes = 10 * 1024 * 1024 + 1;

export function imageBytes(spec: ImageSpec, fixtures: ImageFixtures): Uint8Array {
  let bytes: Uint8Array;
  if (spec.fixture === 'random') bytes = spec.random ?? new Uint8Array();
  else if (spec.fixture === 'empty') bytes = new Uint8Array();
  else if (spec.fixture === 'oversized') {
    bytes = new Uint8Array(oversizedImageBytes);
    bytes.set(fixtures.png);
  } else bytes = fixtures[spec.fixture];
  const { mutation } = spec;
  switch (mutation.kind) {
    case 'truncate':
      return bytes.slice(0, Math.floor(bytes.byteLength * mutation.keepFraction));
    case 'flip': {
      const copy = bytes.slice();
      if (copy.byteLength > 0) for (const position of mutation.positions) copy[position % copy.byteLength]! ^= 0xff;
      return copy;
    }
    case 'append':
      return new Uint8Array(Buffer.concat([bytes, mutation.garbage]));
    case 'prepend':
      return new Uint8Array(Buffer.concat([mutation.garbage, bytes]));
    default:
      return bytes;
  }
}

/** What a client may claim a file is. */
export const declaredMimeTypeArbitrary = fc.constantFrom(
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'image/svg+xml',
  'text/plain',
  'application/octet-stream',
  '',
  'IMAGE/PNG',
  'image/png; charset=x',
);
