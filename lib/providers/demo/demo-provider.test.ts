import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '@/lib/core';
import { createDemoProvider } from './demo-provider';

describe('demo provider', () => {
  it('renders a real PNG whose content depends on prompt and index, deterministically', async () => {
    const provider = createDemoProvider();
    const first = await provider.generate({ prompt: 'a red fox', index: 1 });
    const again = await provider.generate({ prompt: 'a red fox', index: 1 });
    const second = await provider.generate({ prompt: 'a red fox', index: 2 });
    const otherPrompt = await provider.generate({ prompt: 'a blue whale', index: 1 });

    expect(first.mimeType).toBe('image/png');
    const metadata = await sharp(first.bytes).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 512, height: 512 });
    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(false);
    expect(Buffer.from(otherPrompt.bytes).equals(Buffer.from(first.bytes))).toBe(false);
    // Not a flat colour: the pixels vary.
    const stats = await sharp(first.bytes).stats();
    expect(stats.channels[0].stdev).toBeGreaterThan(5);
  });

  it('honours the aspect ratio', async () => {
    const image = await createDemoProvider().generate({ prompt: 'wide', index: 1, aspectRatio: '16:9' });
    expect(await sharp(image.bytes).metadata()).toMatchObject({ width: 768, height: 432 });
  });

  it('stamps image-to-image outputs "DEMO" in the corner too, like the text-to-image ones', async () => {
    const white = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const output = await createDemoProvider().generate({ prompt: 'stamp me', index: 1, inputImages: [{ bytes: new Uint8Array(white), mimeType: 'image/png' }] });
    const { data, info } = await sharp(output.bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const brightness = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    // White stays white under a hue rotation; the badge's dark box does not.
    expect(brightness(Math.floor(info.width / 2), Math.floor(info.height / 2))).toBeGreaterThan(240);
    expect(brightness(16, info.height - 16)).toBeLessThan(180);
  });

  it('really transforms an uploaded image for image-to-image', async () => {
    const input = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .png()
      .toBuffer();
    const provider = createDemoProvider();
    const output = await provider.generate({
      prompt: 'make it blue',
      index: 1,
      inputImages: [{ bytes: new Uint8Array(input), mimeType: 'image/png' }],
    });
    const metadata = await sharp(output.bytes).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 300, height: 200 });
    const [inputStats, outputStats] = await Promise.all([sharp(input).stats(), sharp(output.bytes).stats()]);
    const difference = Math.abs(inputStats.channels[0].mean - outputStats.channels[0].mean) +
      Math.abs(inputStats.channels[2].mean - outputStats.channels[2].mean);
    expect(difference).toBeGreaterThan(20);
  });

  it('answers in the asked output format', async () => {
    const image = await createDemoProvider().generate({ prompt: 'a fox', index: 1, outputFormat: 'webp', aspectRatio: '21:9' });
    expect(image.mimeType).toBe('image/webp');
    expect(await sharp(image.bytes).metadata()).toMatchObject({ format: 'webp', width: 840, height: 360 });
  });

  it('injects classified failures at the configured indexes, only for matching prompts', async () => {
    const provider = createDemoProvider({ failIndexes: [2], failKind: 'rate_limited', failPromptMatch: '[fail]' });
    await expect(provider.generate({ prompt: 'fine', index: 2 })).resolves.toMatchObject({ mimeType: 'image/png' });
    const error = await provider.generate({ prompt: 'please [fail]', index: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'rate_limited', isRetryable: true });
    await expect(provider.generate({ prompt: 'please [fail]', index: 3 })).resolves.toBeDefined();
  });

  it('stops waiting when aborted', async () => {
    const provider = createDemoProvider({ latencyMs: 10_000 });
    const controller = new AbortController();
    const pending = provider.generate({ prompt: 'slow', index: 1 }, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
