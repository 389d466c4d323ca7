import type { AspectRatio, GenerationMode } from '@/lib/core';
import type { ImageTextMetadata } from './blob-store';

export interface GenerationDescription {
  prompt: string;
  providerId: string;
  modelId: string;
  mode: GenerationMode;
  aspectRatio?: AspectRatio;
  /** The seed this image was made with, when known: with the rest, enough to make it again. */
  seed?: number;
  negativePrompt?: string;
  steps?: number;
  cfgScale?: number;
  sampler?: string;
  denoisingStrength?: number;
  batchId?: string;
  /** 1-based position in the batch. */
  index?: number;
}

/**
 * The text a generated PNG carries: `prompt`, and `parameters` laid out as AUTOMATIC1111 writes it
 * ("<prompt>\nKey: value, Key: value"), which image viewers and other tools' "PNG info" read.
 */
export function toImageTextMetadata(description: GenerationDescription): ImageTextMetadata {
  const settings: [string, string | number | undefined][] = [
    ['Steps', description.steps],
    ['Sampler', description.sampler],
    ['CFG scale', description.cfgScale],
    ['Seed', description.seed],
    ['Denoising strength', description.denoisingStrength],
    ['Provider', description.providerId],
    ['Model', description.modelId],
    ['Mode', description.mode],
    ['Aspect ratio', description.aspectRatio],
    ['Batch', description.batchId],
    ['Image', description.index],
  ];
  const line = settings
    .filter((setting): setting is [string, string | number] => setting[1] !== undefined)
    .map(([key, value]) => `${key}: ${quoteIfNeeded(String(value))}`)
    .join(', ');
  // A1111's layout: the negative prompt on its own line between the prompt and the settings.
  const negative = description.negativePrompt ? `\nNegative prompt: ${description.negativePrompt}` : '';
  return { prompt: description.prompt, parameters: `${description.prompt}${negative}\n${line}` };
}

/** As AUTOMATIC1111 does: a value that contains the separators is JSON-quoted. */
function quoteIfNeeded(value: string): string {
  return /[,:\n]/.test(value) ? JSON.stringify(value) : value;
}
