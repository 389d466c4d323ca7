import type { AspectRatio, CustomSizeRule, ModelCapabilities } from '@/lib/core';
import type { KnownModel } from '../descriptor';

/**
 * OpenAI's GPT Image models, as the pinned `openai` SDK (7.57) documents them in
 * `resources/images.d.ts` (read 2026-11-30): `gpt-image-1` was shut down on 2026-10-23 and DALL·E 2
 * and 3 on 2026-05-12, so none of them is offered. `OPENAI_IMAGE_MODELS` narrows or extends the list.
 */

/** The fixed sizes every GPT Image model takes (the SDK: "supported by the GPT image models"). */
export const fixedGptImageSizes = ['1024x1024', '1536x1024', '1024x1536'] as const;

/**
 * GPT Image 2 and later take any `WIDTHxHEIGHT` (the SDK: both divisible by 16, ratio 1:3 to 3:1,
 * at most 3840×2160; OpenAI's guide: 655,360 to 8,294,400 pixels).
 */
export const gptImage2SizeRule: CustomSizeRule = {
  multipleOf: 16,
  maxEdge: 3840,
  minPixels: 655_360,
  maxPixels: 8_294_400,
  maxAspectRatio: 3,
};

/** Ratios the fixed sizes cover exactly or nearly; the adapter warns when it has to approximate. */
const fixedSizeAspectRatios: AspectRatio[] = ['1:1', '2:3', '3:2', '3:4', '4:3', '9:16', '16:9'];
/** Every ratio of ours within 3:1, which custom sizes can render exactly. */
const customSizeAspectRatios: AspectRatio[] = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];

const fixedSizeCapabilities = (qualities: ModelCapabilities['qualities'], maxInputImages = 16): ModelCapabilities => ({
  aspectRatios: fixedSizeAspectRatios,
  sizes: [...fixedGptImageSizes],
  qualities,
  outputFormats: ['png', 'jpeg', 'webp'],
  backgrounds: ['auto', 'opaque', 'transparent'],
  imageToImage: true,
  maxInputImages,
});

const customSizeCapabilities: ModelCapabilities = {
  aspectRatios: customSizeAspectRatios,
  sizes: ['1K', '2K', '4K', ...fixedGptImageSizes],
  customSize: gptImage2SizeRule,
  qualities: ['low', 'medium', 'high', 'auto'],
  outputFormats: ['png', 'jpeg', 'webp'],
  backgrounds: ['auto', 'opaque', 'transparent'],
  imageToImage: true,
  maxInputImages: 16,
};

/**
 * Per-image prices at 1024×1024 by quality. gpt-image-1.5: OpenAI's pricing page. The 2.x models are
 * priced by token only ($30 / 1M image output tokens): their per-image figures here are ESTIMATES
 * from GPT Image's token counts at 1024×1024 (272 low, 1056 medium, 4160 high), used for the
 * estimate before a run; the cost after it comes from the tokens OpenAI reports.
 */
const perImage = (low: number, medium: number, high: number) => ({ low, medium, high, auto: medium, '*': medium });
/** The 2.x models: per-image ESTIMATES (see above) and token prices (OpenAI's pricing page, read 2026-09-24 via third-party copies). */
const gptImage2Price = {
  perImageUsd: perImage(0.008, 0.032, 0.125),
  inputPerMillionTokensUsd: 5,
  inputImagePerMillionTokensUsd: 8,
  outputPerMillionTokensUsd: 30,
};

export const openaiModels: readonly KnownModel[] = [
  {
    id: 'gpt-image-2.5-flare',
    label: 'GPT Image 2.5 Flare',
    capabilities: customSizeCapabilities,
    price: gptImage2Price,
  },
  {
    id: 'gpt-image-2.5-sunburst',
    label: 'GPT Image 2.5 Sunburst',
    capabilities: customSizeCapabilities,
    price: gptImage2Price,
  },
  {
    id: 'gpt-image-2.6-flare',
    label: 'GPT Image 2.6 Flare',
    // The SDK does not name the 2.6 models among those that take any size: the fixed sizes only.
    capabilities: fixedSizeCapabilities(['low', 'medium', 'high', 'auto']),
    price: gptImage2Price,
  },
  {
    id: 'gpt-image-2.6-sunburst',
    label: 'GPT Image 2.6 Sunburst',
    capabilities: fixedSizeCapabilities(['low', 'medium', 'high', 'auto']),
    price: gptImage2Price,
  },
  {
    id: 'gpt-image-2',
    label: 'GPT Image 2',
    capabilities: customSizeCapabilities,
    price: gptImage2Price,
  },
  {
    id: 'gpt-image-1.5',
    label: 'GPT Image 1.5',
    capabilities: fixedSizeCapabilities(['low', 'medium', 'high', 'auto']),
    price: {
      perImageUsd: {
        ...perImage(0.009, 0.034, 0.133),
        'low:1536x1024': 0.013,
        'medium:1536x1024': 0.05,
        'high:1536x1024': 0.2,
        'low:1024x1536': 0.013,
        'medium:1024x1536': 0.05,
        'high:1024x1536': 0.2,
      },
      inputPerMillionTokensUsd: 5,
      inputImagePerMillionTokensUsd: 8,
      outputPerMillionTokensUsd: 32,
    },
  },
  {
    id: 'gpt-image-1-mini',
    label: 'GPT Image 1 Mini',
    capabilities: fixedSizeCapabilities(['low', 'medium', 'high', 'auto']),
    // $2 / 1M input, $8 / 1M image output tokens; per image ESTIMATED from the token counts above.
    price: { perImageUsd: perImage(0.0022, 0.0084, 0.0333), inputPerMillionTokensUsd: 2, outputPerMillionTokensUsd: 8 },
  },
  {
    id: 'chatgpt-image-latest',
    label: 'ChatGPT Image (latest)',
    // Price not published where we could read it.
    capabilities: fixedSizeCapabilities(['low', 'medium', 'high', 'auto']),
  },
];

/** Shut down (the SDK's doc comments): never offered; the fake OpenAI server answers 404 model_not_found. */
export const retiredOpenAIModelIds: readonly string[] = ['gpt-image-1', 'dall-e-2', 'dall-e-3'];

/** The default: one of the two replacements the SDK names for the shut-down `gpt-image-1`. */
export const defaultOpenAIModelId = 'gpt-image-2.5-flare';

/** A model id we do not know (`OPENAI_IMAGE_MODELS`, or an OpenAI-compatible server's): the common GPT Image subset. */
export function unknownOpenAICapabilities(): ModelCapabilities {
  return fixedSizeCapabilities(['low', 'medium', 'high', 'auto']);
}
