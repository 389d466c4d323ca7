import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { AspectRatio } from '@/lib/core';

/**
 * Renders the demo provider's pictures: deterministic abstract compositions whose colours and shapes
 * are derived from a hash of (prompt, index), so the same request always yields the same bytes and
 * different prompts look different. Labelled "DEMO" in the corner: it is never presented as AI.
 */

const dimensionsByAspect: Record<AspectRatio, { width: number; height: number }> = {
  '1:1': { width: 512, height: 512 },
  '2:3': { width: 512, height: 768 },
  '3:2': { width: 768, height: 512 },
  '3:4': { width: 480, height: 640 },
  '4:3': { width: 640, height: 480 },
  '9:16': { width: 432, height: 768 },
  '16:9': { width: 768, height: 432 },
  '4:5': { width: 512, height: 640 },
  '5:4': { width: 640, height: 512 },
  '21:9': { width: 840, height: 360 },
  '1:4': { width: 256, height: 1024 },
  '4:1': { width: 1024, height: 256 },
  '1:8': { width: 160, height: 1280 },
  '8:1': { width: 1280, height: 160 },
};

export function demoDimensions(aspectRatio: AspectRatio = '1:1') {
  return dimensionsByAspect[aspectRatio];
}

/** A stream of pseudo-random numbers in [0, 1) seeded by the hash of the inputs. */
function seededRandom(...parts: (string | number)[]): () => number {
  let seed = createHash('sha256').update(parts.join('\u0000')).digest();
  let offset = 0;
  return () => {
    if (offset + 4 > seed.length) {
      seed = createHash('sha256').update(seed).digest();
      offset = 0;
    }
    const value = seed.readUInt32BE(offset);
    offset += 4;
    return value / 0x1_0000_0000;
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The "DEMO · #n" badge in the bottom-left corner: every demo output carries it. */
function demoLabel(index: number, height: number): string {
  const label = escapeXml(`DEMO · #${index}`);
  return `<rect x="12" y="${height - 40}" width="${label.length * 9 + 20}" height="28" rx="6" fill="black" fill-opacity="0.45"/>
  <text x="22" y="${height - 20}" font-family="sans-serif" font-size="15" fill="white">${label}</text>`;
}

export async function renderDemoPicture(prompt: string, index: number, aspectRatio?: AspectRatio): Promise<Buffer> {
  const { width, height } = demoDimensions(aspectRatio);
  const random = seededRandom(prompt, index);
  const baseHue = Math.floor(random() * 360);
  const hue = (shift: number) => (baseHue + shift) % 360;

  const shapes: string[] = [];
  const shapeCount = 6 + Math.floor(random() * 6);
  for (let shape = 0; shape < shapeCount; shape++) {
    const x = Math.round(random() * width);
    const y = Math.round(random() * height);
    const radius = Math.round((0.08 + random() * 0.3) * Math.min(width, height));
    const fill = `hsl(${hue(Math.floor(random() * 120))}, ${55 + Math.floor(random() * 35)}%, ${45 + Math.floor(random() * 30)}%)`;
    const opacity = (0.35 + random() * 0.5).toFixed(2);
    shapes.push(
      random() < 0.6
        ? `<circle cx="${x}" cy="${y}" r="${radius}" fill="${fill}" fill-opacity="${opacity}"/>`
        : `<rect x="${x - radius}" y="${y - radius}" width="${radius * 2}" height="${radius * 2}" rx="${Math.round(radius / 4)}" fill="${fill}" fill-opacity="${opacity}" transform="rotate(${Math.floor(random() * 90)} ${x} ${y})"/>`,
    );
  }

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue(0)}, 70%, 22%)"/>
      <stop offset="1" stop-color="hsl(${hue(60)}, 75%, 55%)"/>
    </linearGradient>
    <filter id="soft"><feGaussianBlur stdDeviation="${Math.round(width / 90)}"/></filter>
  </defs>
  <rect width="100%" height="100%" fill="url(#sky)"/>
  <g filter="url(#soft)">${shapes.join('')}</g>
  ${demoLabel(index, height)}
</svg>`;
  return sharp(Buffer.from(svg)).png({ compressionLevel: 6 }).toBuffer();
}

/**
 * Image-to-image for the demo: a real transformation of the input (resize to fit, hue rotation and
 * tint derived from the prompt and index, mirrored on even indexes), so each output differs visibly.
 * Stamped "DEMO" like the text-to-image pictures.
 */
export async function transformDemoPicture(input: Uint8Array, prompt: string, index: number): Promise<Buffer> {
  const random = seededRandom(prompt, index, 'image-to-image');
  let pipeline = sharp(input)
    .rotate() // honour EXIF orientation
    .resize({ width: 768, height: 768, fit: 'inside', withoutEnlargement: true })
    .modulate({ hue: Math.floor(random() * 300) + 30, saturation: 1 + random() * 0.6 });
  if (index % 2 === 0) pipeline = pipeline.flop();
  const { data, info } = await pipeline.png().toBuffer({ resolveWithObject: true });
  const badge = `<svg xmlns="http://www.w3.org/2000/svg" width="${info.width}" height="${info.height}">${demoLabel(index, info.height)}</svg>`;
  return sharp(data)
    .composite([{ input: Buffer.from(badge), left: 0, top: 0 }])
    .png({ compressionLevel: 6 })
    .toBuffer();
}
