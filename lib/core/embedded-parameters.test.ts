import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { toImageTextMetadata } from '@/lib/store';
import { withPngTextChunks } from '@/lib/store/png/png-text-chunks';
import { parseEmbeddedParameters, readPngText } from './embedded-parameters';

const blankPng = () => sharp({ create: { width: 4, height: 6, channels: 3, background: '#888' } }).png().toBuffer().then((buffer) => new Uint8Array(buffer));

/** AUTOMATIC1111's layout as its `create_infotext` writes it (a Lora hash list is JSON-quoted). */
const automatic1111Text = [
  'a photo of a cat, sitting on a windowsill',
  'Negative prompt: blurry, lowres',
  'Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: "add_detail: 7c6bad76eb54, film: 1a2b", Version: v1.6.0',
].join('\n');

/** ComfyUI's default workflow in its API format (script_examples/basic_api_example.py). */
const comfyGraph = JSON.stringify({
  '3': {
    inputs: { seed: 156680208700286, steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] },
    class_type: 'KSampler',
  },
  '4': { inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' }, class_type: 'CheckpointLoaderSimple' },
  '5': { inputs: { width: 512, height: 512, batch_size: 1 }, class_type: 'EmptyLatentImage' },
  '6': { inputs: { text: 'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,', clip: ['4', 1] }, class_type: 'CLIPTextEncode' },
  '7': { inputs: { text: 'text, watermark', clip: ['4', 1] }, class_type: 'CLIPTextEncode' },
  '8': { inputs: { samples: ['3', 0], vae: ['4', 2] }, class_type: 'VAEDecode' },
  '9': { inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] }, class_type: 'SaveImage' },
});

/** A zTXt chunk, as some tools write long text (compressed, Latin-1). */
function withZtxt(png: Uint8Array, keyword: string, text: string): Uint8Array {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.of(0, 0), deflateSync(Buffer.from(text, 'latin1'))]);
  const typeAndData = Buffer.concat([Buffer.from('zTXt', 'latin1'), data]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  typeAndData.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  const afterHeader = 8 + 25; // signature + IHDR chunk
  return Buffer.concat([png.subarray(0, afterHeader), chunk, png.subarray(afterHeader)]);
}

describe('settings embedded in a dropped PNG', () => {
  it('reads this app’s own images back: prompt, provider, model, aspect ratio', async () => {
    const metadata = toImageTextMetadata({ prompt: 'a red fox, “snow”', providerId: 'openai', modelId: 'gpt-image-2.5-flare', mode: 'text-to-image', aspectRatio: '2:3', batchId: 'b1', index: 2 });
    const png = withPngTextChunks(await blankPng(), Object.entries(metadata).map(([keyword, text]) => ({ keyword, text })));
    expect(parseEmbeddedParameters(await readPngText(png))).toMatchObject({
      source: 'imagegen',
      prompt: 'a red fox, “snow”',
      providerId: 'openai',
      modelId: 'gpt-image-2.5-flare',
      aspectRatio: '2:3',
    });
  });

  it('reads this app’s diffusion controls back: negative prompt, seed, steps, sampler, CFG scale', async () => {
    const metadata = toImageTextMetadata({
      prompt: 'a lighthouse',
      providerId: 'a1111',
      modelId: 'sdxl-base',
      mode: 'text-to-image',
      seed: 4_294_967_295,
      negativePrompt: 'fog, blur',
      steps: 30,
      sampler: 'DPM++ 2M',
      cfgScale: 6.5,
      index: 1,
    });
    const png = withPngTextChunks(await blankPng(), Object.entries(metadata).map(([keyword, text]) => ({ keyword, text })));
    const parsed = parseEmbeddedParameters(await readPngText(png));
    expect(parsed).toMatchObject({ source: 'imagegen', prompt: 'a lighthouse', negativePrompt: 'fog, blur', seed: '4294967295', providerId: 'a1111' });
    expect(parsed?.settings).toMatchObject({ Steps: '30', Sampler: 'DPM++ 2M', 'CFG scale': '6.5' });
  });

  it('reads AUTOMATIC1111’s parameters: negative prompt, seed, size, quoted values', async () => {
    const png = withPngTextChunks(await blankPng(), [{ keyword: 'parameters', text: automatic1111Text }]);
    const parsed = parseEmbeddedParameters(await readPngText(png));
    expect(parsed).toMatchObject({
      source: 'automatic1111',
      prompt: 'a photo of a cat, sitting on a windowsill',
      negativePrompt: 'blurry, lowres',
      modelId: 'v1-5-pruned-emaonly',
      seed: '1234567890',
      size: '512x768',
      aspectRatio: '2:3',
    });
    expect(parsed?.settings).toMatchObject({ Steps: '20', Sampler: 'DPM++ 2M Karras', 'Lora hashes': 'add_detail: 7c6bad76eb54, film: 1a2b' });
  });

  it('reads ComfyUI’s API graph: the sampler’s positive and negative text, seed, size, checkpoint', async () => {
    const png = withZtxt(await blankPng(), 'prompt', comfyGraph);
    expect(parseEmbeddedParameters(await readPngText(png))).toMatchObject({
      source: 'comfyui',
      prompt: 'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,',
      negativePrompt: 'text, watermark',
      seed: '156680208700286',
      size: '512x512',
      aspectRatio: '1:1',
      modelId: 'v1-5-pruned-emaonly.safetensors',
      settings: { steps: '20', cfg: '8', sampler_name: 'euler' },
    });
  });

  it('reads non-Latin text from iTXt', async () => {
    const png = withPngTextChunks(await blankPng(), [{ keyword: 'parameters', text: '富士山の夕焼け\nSteps: 30, Seed: 7' }]);
    expect(parseEmbeddedParameters(await readPngText(png))).toMatchObject({ prompt: '富士山の夕焼け', seed: '7' });
  });

  it('finds nothing in a PNG without settings, in a JPEG, or in a damaged ComfyUI graph', async () => {
    expect(parseEmbeddedParameters(await readPngText(await blankPng()))).toBeUndefined();
    const jpeg = new Uint8Array(await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).jpeg().toBuffer());
    expect(await readPngText(jpeg)).toEqual([]);
    expect(parseEmbeddedParameters([{ keyword: 'prompt', text: '{not json' }])).toBeUndefined();
    expect(parseEmbeddedParameters([{ keyword: 'prompt', text: '{"1": {"class_type": "SaveImage", "inputs": {}}}' }])).toBeUndefined();
  });

  it('takes a prompt without a settings line whole', () => {
    expect(parseEmbeddedParameters([{ keyword: 'parameters', text: 'just a prompt\nover two lines' }])).toEqual({
      source: 'automatic1111',
      prompt: 'just a prompt\nover two lines',
      settings: {},
    });
  });
});
