import type { AspectRatio, GenerationMode } from '@/lib/core';
import type { ImageTextMetadata } from './blob-store';

export interface GenerationDescription {
  prompt: string;
  providerId: string;
  modelId: string;
  mode: GenerationMode;
  aspectRatio?: AspectRatio;
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
  return { prompt: description.prompt, parameters: `${description.prompt}\n${line}` };
}

/** As AUTOMATIC1111 does: a value that contains the separators is JSON-quoted. */
function quoteIfNeeded(value: string): string {
  return /[,:\n]/.test(value) ? JSON.stringify(value) : value;
}
