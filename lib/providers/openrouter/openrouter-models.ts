import type { AspectRatio, ModelCapabilities } from '@/lib/core';
import type { KnownModel } from '../descriptor';

/**
 * Image-output models offered through OpenRouter by default. Ids were checked against OpenRouter's
 * image-generation guide and third-party integrations (read 2026-11-30); they could not be checked
 * against the live `GET /api/v1/models`, and OpenRouter renames models often: `OPENROUTER_MODELS`
 * narrows or extends this list, and an id OpenRouter does not know fails its items as `not_found`.
 *
 * No prices: OpenRouter bills per token at each upstream's rate, and per-image figures are not
 * published for most models, so cost is shown as unknown (`OPENROUTER_PRICE_PER_IMAGE_USD` sets one).
 */

/** `image_config.aspect_ratio` values OpenRouter documents for Gemini image models. */
const geminiAspectRatios: AspectRatio[] = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];

/** What a model answers with: `image` only (Flux) or `image` and `text` (Gemini, GPT-5 Image). */
export type OutputModalities = readonly ['image'] | readonly ['image', 'text'];

export interface KnownOpenRouterModel extends KnownModel {
  /** Sent as `modalities`: OpenRouter refuses `["image","text"]` for image-only models. */
  modalities: OutputModalities;
}

const geminiCapabilities: ModelCapabilities = {
  aspectRatios: geminiAspectRatios,
  // `image_config.image_size` is documented for Gemini models only.
  sizes: ['1K', '2K', '4K'],
  qualities: [],
  outputFormats: ['png'],
  backgrounds: [],
  imageToImage: true,
  maxInputImages: 3,
};

export const openrouterModels: readonly KnownOpenRouterModel[] = [
  {
    id: 'google/gemini-2.5-flash-image',
    label: 'Gemini 2.5 Flash Image (Nano Banana) via OpenRouter',
    // One size only on 2.5 Flash Image: image_size is a Gemini 3 option.
    capabilities: { ...geminiCapabilities, sizes: [] },
    modalities: ['image', 'text'],
  },
  {
    id: 'google/gemini-3-pro-image-preview',
    label: 'Gemini 3 Pro Image (Nano Banana Pro) via OpenRouter',
    capabilities: geminiCapabilities,
    modalities: ['image', 'text'],
  },
  {
    id: 'openai/gpt-5-image',
    label: 'GPT-5 Image via OpenRouter',
    capabilities: { ...geminiCapabilities, aspectRatios: ['1:1', '2:3', '3:2'], sizes: [] },
    modalities: ['image', 'text'],
  },
  {
    id: 'black-forest-labs/flux.2-pro',
    label: 'FLUX.2 [pro] via OpenRouter',
    capabilities: { ...geminiCapabilities, sizes: [] },
    modalities: ['image'],
  },
];

/** The default: the most widely available image model on OpenRouter, and the cheapest of these. */
export const defaultOpenRouterModelId = 'google/gemini-2.5-flash-image';

/** A model id we do not know (from `OPENROUTER_MODELS`): aspect ratios and input images, nothing else. */
export function unknownOpenRouterCapabilities(): ModelCapabilities {
  return { ...geminiCapabilities, sizes: [] };
}
