import {
  aspectRatioValue,
  customSizeProblem,
  imageSizePresets,
  parseExactSize,
  presetLongEdge,
  type ImageOptions,
  type ImageSize,
  type ModelCapabilities,
} from '@/lib/core';
import { OpenAICompatError } from './openai-error';

/** The image parameters of an OpenAI images request, as validated (null already dropped). */
export interface OpenAIImageParams {
  size?: string;
  quality?: string;
  output_format?: string;
  background?: string;
}

/** How far an OpenAI size's shape may be from one of the model's aspect ratios (1792x1024 is 1.5% off 16:9). */
const aspectRatioTolerance = 0.02;

/**
 * OpenAI's image parameters → our provider-neutral options for a model with these capabilities.
 * `auto` (and DALL·E's `standard`) mean "the model's default" and are left out; `hd` is `high`.
 * A `WxH` the model takes is kept exact; on a model that takes aspect ratios instead (Gemini, the
 * demo), its shape becomes the aspect ratio (and a preset size when its long edge is one).
 * Anything else is a 400 naming the parameter; values of the right kind that the model does not
 * take are left for the capability check, which names the parameter and the allowed values.
 */
export function toImageOptions(params: OpenAIImageParams, capabilities: ModelCapabilities): ImageOptions {
  const options: ImageOptions = { ...sizeOptions(params.size, capabilities) };
  const quality = params.quality === 'hd' ? 'high' : params.quality;
  if (quality !== undefined && quality !== 'auto' && quality !== 'standard') {
    if (!['low', 'medium', 'high'].includes(quality)) throw unsupported('quality', quality, 'low, medium, high, auto');
    options.quality = quality as ImageOptions['quality'];
  }
  if (params.output_format !== undefined) {
    if (!['png', 'jpeg', 'webp'].includes(params.output_format)) throw unsupported('output_format', params.output_format, 'png, jpeg, webp');
    options.outputFormat = params.output_format as ImageOptions['outputFormat'];
  }
  if (params.background !== undefined && params.background !== 'auto') {
    options.background = params.background as ImageOptions['background'];
  }
  return options;
}

function sizeOptions(size: string | undefined, capabilities: ModelCapabilities): Pick<ImageOptions, 'size' | 'aspectRatio'> {
  if (size === undefined || size === 'auto') return {};
  if ((imageSizePresets as readonly string[]).includes(size) || capabilities.sizes.includes(size)) return { size: size as ImageSize };
  const exact = parseExactSize(size);
  if (!exact) throw unsupported('size', size, 'auto or WIDTHxHEIGHT, e.g. 1024x1024');
  if (capabilities.customSize && customSizeProblem(exact, capabilities.customSize) === undefined) return { size: size as ImageSize };
  const shape = exact.width / exact.height;
  const nearest = capabilities.aspectRatios
    .map((aspectRatio) => ({ aspectRatio, distance: Math.abs(aspectRatioValue(aspectRatio) / shape - 1) }))
    .sort((left, right) => left.distance - right.distance)[0];
  if (!nearest || nearest.distance > aspectRatioTolerance) {
    // Passed on as it is: the capability check answers the 400 with the sizes this model takes.
    return { size: size as ImageSize };
  }
  const longEdge = Math.max(exact.width, exact.height);
  const preset = imageSizePresets.find((candidate) => presetLongEdge[candidate] === longEdge && capabilities.sizes.includes(candidate));
  return { aspectRatio: nearest.aspectRatio, ...(preset ? { size: preset } : {}) };
}

function unsupported(param: string, value: string, allowed: string): OpenAICompatError {
  return new OpenAICompatError(400, `Invalid value for '${param}': '${value}'. This server takes ${allowed}.`, { param, code: 'invalid_value' });
}
