import { isImageSizePreset, type AspectRatio, type GenerateImageOptions, type ImageSizePreset, type ModelCapabilities } from '@/lib/core';

/** How a vendor is named in the warnings: "Gemini takes sizes…", "Gemini does not take quality…". */
export interface PresetImageConfigWording {
  /** `Gemini`, `OpenRouter`. */
  vendor: string;
  /** Who refuses quality and background: `Gemini`, `OpenRouter image models` (with `does`/`do`). */
  refusal: string;
  /** Whose format the answer comes in: `its own`, `the model's own`. */
  formatOwner: string;
}

export interface PresetImageConfig {
  aspectRatio?: AspectRatio;
  imageSize?: ImageSizePreset;
  warnings: string[];
}

/**
 * The image settings of an API that takes an aspect ratio and a 1K/2K/4K preset and nothing else
 * (Gemini's `imageConfig`, OpenRouter's `image_config`): what the request asked that it can take,
 * and a warning for each thing it cannot (exact pixels, a size on a one-size model, quality,
 * background, an output format other than PNG). Each adapter puts the two values in its own wire names.
 */
export function presetImageConfigOf(
  request: GenerateImageOptions,
  capabilities: ModelCapabilities | undefined,
  { vendor, refusal, formatOwner }: PresetImageConfigWording,
): PresetImageConfig {
  const config: PresetImageConfig = { warnings: [] };
  if (request.aspectRatio) config.aspectRatio = request.aspectRatio;
  if (request.size) {
    if (!isImageSizePreset(request.size)) {
      config.warnings.push(`${vendor} takes sizes 1K, 2K or 4K, not exact pixels; size ${request.size} was ignored.`);
    } else if (capabilities && capabilities.sizes.length === 0) {
      config.warnings.push(`This model has one size; size ${request.size} was ignored.`);
    } else {
      config.imageSize = request.size;
    }
  }
  for (const field of ['quality', 'background'] as const) {
    if (request[field]) config.warnings.push(`${refusal} ${field}; ${field} ${request[field]} was ignored.`);
  }
  if (request.outputFormat && request.outputFormat !== 'png') {
    config.warnings.push(`${vendor} answers in ${formatOwner} format; outputFormat ${request.outputFormat} was ignored.`);
  }
  return config;
}
