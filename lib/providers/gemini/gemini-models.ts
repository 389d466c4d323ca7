import type { AspectRatio, ModelCapabilities } from '@/lib/core';
import type { KnownModel } from '../descriptor';

/**
 * Gemini's image models ("Nano Banana"), as the pinned `@google/genai` (3.1.0) lists them in its
 * model type and Google's model and pricing pages describe them (read 2026-11-30).
 * Model ids change every few months: `GEMINI_MODELS` narrows or extends this list.
 */

/** `imageConfig.aspectRatio` values of the Gemini API (the SDK's `ImageConfigAspectRatio`, without the 3.1 extras). */
const standardAspectRatios: AspectRatio[] = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];
/** Gemini 3.1 Flash Image adds the tall and wide ones. */
const extendedAspectRatios: AspectRatio[] = [...standardAspectRatios, '1:4', '4:1', '1:8', '8:1'];

const gemini3Capabilities = (aspectRatios: AspectRatio[], maxInputImages: number): ModelCapabilities => ({
  aspectRatios,
  sizes: ['1K', '2K', '4K'],
  qualities: [],
  outputFormats: ['png'],
  backgrounds: [],
  imageToImage: true,
  maxInputImages,
});

export const geminiModels: readonly KnownModel[] = [
  {
    id: 'gemini-nano-banana-2.1',
    label: 'Nano Banana 2.1',
    // 512 is refused on this model (HTTP 400), unlike on 3.1 Flash Image.
    capabilities: gemini3Capabilities(extendedAspectRatios, 14),
    // Google's pricing (via LiteLLM's launch post, 2026-10-06): $1.50 / 1M text input, $30 / 1M image
    // output tokens = $0.0336 per 1K image. 2K and 4K per-image figures are not published: estimated
    // from 3.1 Flash Image's token counts (1680 and 2520 tokens).
    price: {
      inputPerMillionTokensUsd: 1.5,
      outputPerMillionTokensUsd: 30,
      perImageUsd: { '1K': 0.0336, '2K': 0.0504, '4K': 0.0756, '*': 0.0336 },
    },
  },
  {
    id: 'gemini-3-pro-image',
    label: 'Gemini 3 Pro Image (Nano Banana Pro)',
    capabilities: gemini3Capabilities(standardAspectRatios, 14),
    // Google's pricing page (transcribed 2026-09-20): $120 / 1M image output tokens, "$0.134 per
    // 1K/2K image and $0.24 per 4K image"; input $2 / 1M tokens.
    price: {
      inputPerMillionTokensUsd: 2,
      outputPerMillionTokensUsd: 120,
      perImageUsd: { '1K': 0.134, '2K': 0.134, '4K': 0.24, '*': 0.134 },
    },
  },
  {
    id: 'gemini-3.1-flash-lite-image',
    label: 'Gemini 3.1 Flash Lite Image',
    // 1K images only (Vercel AI Gateway's model page): no size to choose.
    capabilities: { ...gemini3Capabilities(standardAspectRatios, 14), sizes: [] },
    // $0.25 / 1M text input, $30 / 1M image output tokens = $0.0336 per image (LiteLLM's price list).
    price: { inputPerMillionTokensUsd: 0.25, outputPerMillionTokensUsd: 30, perImageUsd: { '*': 0.0336 } },
  },
];

/**
 * Ids that Google has shut down: never offered by default; the fake Gemini server answers 404 for
 * them as Google does. gemini-2.5-flash-image (2026-10-02, Google's deprecations page),
 * gemini-3.1-flash-image (2026-10-29, replaced by gemini-nano-banana-2.1), the -preview ids (2026-06-25).
 */
export const retiredGeminiModelIds: readonly string[] = [
  'gemini-2.5-flash-image',
  'gemini-2.5-flash-image-preview',
  'gemini-3.1-flash-image',
  'gemini-3.1-flash-image-preview',
  'gemini-3-pro-image-preview',
];

/** The default: the newest current image model in the SDK's list, and the cheapest per image. */
export const defaultGeminiModelId = 'gemini-nano-banana-2.1';

/** A model id we do not know (from `GEMINI_MODELS`): what every Gemini image model takes. */
export function unknownGeminiCapabilities(): ModelCapabilities {
  return {
    aspectRatios: standardAspectRatios,
    sizes: [],
    qualities: [],
    outputFormats: ['png'],
    backgrounds: [],
    imageToImage: true,
    maxInputImages: 3,
  };
}

/** Models that take `imageConfig.imageSize` (the fake server refuses it elsewhere, as Google does). */
export function takesImageSize(capabilities: ModelCapabilities): boolean {
  return capabilities.sizes.length > 0;
}
