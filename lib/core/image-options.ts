import type { AspectRatio } from './image';

/**
 * The provider-neutral request vocabulary: what a person may ask of one image, whatever the
 * provider. Each adapter maps it to its own wire; each model advertises what it takes
 * (`ModelCapabilities`), and the server refuses the rest with a 400 naming the field.
 */

/** Resolution presets, by the long edge: about 1024, 2048 and 4096 pixels (Gemini's `imageSize`). */
export const imageSizePresets = ['1K', '2K', '4K'] as const;
export type ImageSizePreset = (typeof imageSizePresets)[number];

export const imageQualities = ['low', 'medium', 'high', 'auto'] as const;
export type ImageQuality = (typeof imageQualities)[number];

export const outputFormats = ['png', 'jpeg', 'webp'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export const imageBackgrounds = ['auto', 'opaque', 'transparent'] as const;
export type ImageBackground = (typeof imageBackgrounds)[number];

/** `1K`/`2K`/`4K`, or exact pixels as `WIDTHxHEIGHT` (e.g. `1536x864`). */
export type ImageSize = ImageSizePreset | `${number}x${number}`;

export const exactSizePattern = /^([1-9]\d{1,4})x([1-9]\d{1,4})$/;

/** Width and height of a `WxH` size, or undefined for a preset or anything else. */
export function parseExactSize(size: string): { width: number; height: number } | undefined {
  const match = exactSizePattern.exec(size);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : undefined;
}

export function isImageSizePreset(size: string): size is ImageSizePreset {
  return (imageSizePresets as readonly string[]).includes(size);
}

/** The options of one image request, all optional: a model's defaults apply to what is left out. */
export interface ImageOptions {
  /** @default the model's (usually 1:1, or the input image's for image-to-image) */
  aspectRatio?: AspectRatio;
  /** @default the model's (1K on Gemini, `auto` on OpenAI) */
  size?: ImageSize;
  /** @default the model's (`auto`) */
  quality?: ImageQuality;
  /** @default png */
  outputFormat?: OutputFormat;
  /** @default the model's (`auto`) */
  background?: ImageBackground;
  /** What the image should not show (Stable Diffusion's negative prompt). @default none */
  negativePrompt?: string;
  /**
   * The first image's seed; image N of a batch uses `seed + N - 1` so each image differs and any one
   * can be made again. @default random, chosen by the provider
   */
  seed?: number;
  /** Sampling steps. @default the model's (`ExtraOptionCapabilities.steps.default`) */
  steps?: number;
  /** Classifier-free guidance scale: how closely to follow the prompt. @default the model's */
  cfgScale?: number;
  /** A sampler the model advertises (`ExtraOptionCapabilities.samplers`). @default the provider's */
  sampler?: string;
  /** Image-to-image: how much of the input to repaint, 0 (keep) to 1 (replace). @default the model's */
  denoisingStrength?: number;
}

/** The names of the option fields, as requests and 400s spell them. */
export const imageOptionFields = [
  'aspectRatio',
  'size',
  'quality',
  'outputFormat',
  'background',
  'negativePrompt',
  'seed',
  'steps',
  'cfgScale',
  'sampler',
  'denoisingStrength',
] as const;
export type ImageOptionField = (typeof imageOptionFields)[number];

/** Limits of the diffusion controls, whatever the provider: the bounds a request is checked against. */
export const extraOptionLimits = {
  negativePromptMaxLength: 2000,
  seedMax: 2 ** 32 - 1,
  steps: { min: 1, max: 150 },
  cfgScale: { min: 1, max: 30 },
} as const;

/** A number a model takes within bounds, and what it uses when the request leaves it out. */
export interface NumberRange {
  min: number;
  max: number;
  default: number;
}

/**
 * The diffusion controls a model takes (local Stable Diffusion servers; hosted models take none).
 * Each key present means the model takes that option; absent means a request naming it is a 400.
 */
export interface ExtraOptionCapabilities {
  negativePrompt?: boolean;
  seed?: boolean;
  steps?: NumberRange;
  cfgScale?: NumberRange;
  /** The sampler names the model takes; the first is its default. */
  samplers?: string[];
  /** Takes `denoisingStrength` (image-to-image only). */
  denoisingStrength?: boolean;
}

/** Exact sizes a model takes besides its presets: the rules of GPT Image 2 and later. */
export interface CustomSizeRule {
  /** Width and height must both be multiples of this. */
  multipleOf: number;
  /** Longest edge allowed, in pixels. */
  maxEdge: number;
  /** Fewest and most pixels (width × height). */
  minPixels: number;
  maxPixels: number;
  /** Long edge over short edge, at most (3 means 3:1). */
  maxAspectRatio: number;
}

/** What one model takes, advertised by `GET /api/providers` and checked before anything is generated. */
export interface ModelCapabilities {
  aspectRatios: AspectRatio[];
  /** Sizes offered by name: presets (`1K`…) or fixed `WxH` sizes; empty when the model has no choice. */
  sizes: string[];
  /** Present when the model also takes any `WxH` that follows these rules. */
  customSize?: CustomSizeRule;
  /** Empty when quality cannot be chosen. */
  qualities: ImageQuality[];
  /** Formats the model can answer in; the first is what it answers by default. */
  outputFormats: OutputFormat[];
  /** Empty when the background cannot be chosen. */
  backgrounds: ImageBackground[];
  /** Takes input images (image-to-image). */
  imageToImage: boolean;
  /** Most input images one call takes (0 without image-to-image). */
  maxInputImages: number;
  /** Diffusion controls (negative prompt, seed, steps…); absent when the model takes none. */
  extraOptions?: ExtraOptionCapabilities;
}

/** Why an option does not fit a model: the field and a sentence a person can act on. */
export interface OptionProblem {
  field: ImageOptionField | 'image';
  message: string;
}

/**
 * Checks options against a model's capabilities. Returns the first problem, or undefined when
 * everything fits. Pure: the server turns a problem into a 400.
 */
export function findOptionProblem(
  capabilities: ModelCapabilities,
  options: ImageOptions,
  modelLabel: string,
  inputImageCount = 0,
): OptionProblem | undefined {
  const notOffered = (field: ImageOptionField, value: string, allowed: readonly string[]): OptionProblem => ({
    field,
    message:
      allowed.length === 0
        ? `${modelLabel} does not take ${field}; leave it out.`
        : `${field} "${value}" is not available on ${modelLabel}; choose one of ${allowed.join(', ')}.`,
  });
  if (options.aspectRatio && !capabilities.aspectRatios.includes(options.aspectRatio)) {
    return notOffered('aspectRatio', options.aspectRatio, capabilities.aspectRatios);
  }
  if (options.size && !capabilities.sizes.includes(options.size)) {
    const exact = parseExactSize(options.size);
    const rule = capabilities.customSize;
    if (!exact || !rule) {
      const allowed = rule ? [...capabilities.sizes, 'WIDTHxHEIGHT'] : capabilities.sizes;
      return notOffered('size', options.size, allowed);
    }
    const sizeProblem = customSizeProblem(exact, rule);
    if (sizeProblem) return { field: 'size', message: `size "${options.size}" does not fit ${modelLabel}: ${sizeProblem}.` };
  }
  if (options.quality && !capabilities.qualities.includes(options.quality)) {
    return notOffered('quality', options.quality, capabilities.qualities);
  }
  if (options.outputFormat && !capabilities.outputFormats.includes(options.outputFormat)) {
    return notOffered('outputFormat', options.outputFormat, capabilities.outputFormats);
  }
  if (options.background && !capabilities.backgrounds.includes(options.background)) {
    return notOffered('background', options.background, capabilities.backgrounds);
  }
  if (options.background === 'transparent' && options.outputFormat === 'jpeg') {
    return { field: 'outputFormat', message: 'A transparent background needs outputFormat png or webp (JPEG has no transparency).' };
  }
  const extraProblem = extraOptionProblem(capabilities.extraOptions ?? {}, options, modelLabel, inputImageCount);
  if (extraProblem) return extraProblem;
  if (inputImageCount > 0 && !capabilities.imageToImage) {
    return { field: 'image', message: `${modelLabel} does not take input images; choose a model that edits images.` };
  }
  if (inputImageCount > capabilities.maxInputImages) {
    return { field: 'image', message: `${modelLabel} takes at most ${capabilities.maxInputImages} input images; this request has ${inputImageCount}.` };
  }
  return undefined;
}

/** The first diffusion control the model does not take, or that falls outside its range. */
function extraOptionProblem(
  extra: ExtraOptionCapabilities,
  options: ImageOptions,
  modelLabel: string,
  inputImageCount: number,
): OptionProblem | undefined {
  const notTaken = (field: ImageOptionField): OptionProblem => ({ field, message: `${modelLabel} does not take ${field}; leave it out.` });
  const outOfRange = (field: ImageOptionField, value: number, range: NumberRange): OptionProblem | undefined =>
    value < range.min || value > range.max
      ? { field, message: `${field} ${value} is outside what ${modelLabel} takes: ${range.min} to ${range.max}.` }
      : undefined;
  if (options.negativePrompt !== undefined && !extra.negativePrompt) return notTaken('negativePrompt');
  if (options.seed !== undefined && !extra.seed) return notTaken('seed');
  if (options.steps !== undefined) {
    if (!extra.steps) return notTaken('steps');
    const problem = outOfRange('steps', options.steps, extra.steps);
    if (problem) return problem;
  }
  if (options.cfgScale !== undefined) {
    if (!extra.cfgScale) return notTaken('cfgScale');
    const problem = outOfRange('cfgScale', options.cfgScale, extra.cfgScale);
    if (problem) return problem;
  }
  if (options.sampler !== undefined) {
    const samplers = extra.samplers ?? [];
    if (samplers.length === 0) return notTaken('sampler');
    if (!samplers.includes(options.sampler)) {
      return { field: 'sampler', message: `sampler "${options.sampler}" is not available on ${modelLabel}; choose one of ${samplers.join(', ')}.` };
    }
  }
  if (options.denoisingStrength !== undefined) {
    if (!extra.denoisingStrength) return notTaken('denoisingStrength');
    if (inputImageCount === 0) {
      return { field: 'denoisingStrength', message: 'denoisingStrength applies to image-to-image only; add an input image or leave it out.' };
    }
  }
  return undefined;
}

/** The seed of image `index` (1-based) of a batch that asked for `seed`: wraps past 2^32 - 1. */
export function seedForImage(seed: number, index: number): number {
  return (seed + index - 1) % (extraOptionLimits.seedMax + 1);
}

/** Why an exact size breaks the rule, or undefined when it fits. */
export function customSizeProblem(size: { width: number; height: number }, rule: CustomSizeRule): string | undefined {
  const { width, height } = size;
  if (width % rule.multipleOf !== 0 || height % rule.multipleOf !== 0) return `width and height must be multiples of ${rule.multipleOf}`;
  if (Math.max(width, height) > rule.maxEdge) return `the longest edge may be at most ${rule.maxEdge} pixels`;
  const pixels = width * height;
  if (pixels < rule.minPixels || pixels > rule.maxPixels) {
    return `width × height must be from ${rule.minPixels.toLocaleString('en-US')} to ${rule.maxPixels.toLocaleString('en-US')} pixels`;
  }
  if (Math.max(width, height) / Math.min(width, height) > rule.maxAspectRatio) {
    return `the long edge may be at most ${rule.maxAspectRatio} times the short edge`;
  }
  return undefined;
}

/** Width over height of an aspect ratio such as `16:9`. */
export function aspectRatioValue(aspectRatio: AspectRatio): number {
  const [width, height] = aspectRatio.split(':').map(Number);
  return width! / height!;
}

/** Long edge in pixels that each preset stands for, when a provider takes exact sizes instead. */
export const presetLongEdge: Record<ImageSizePreset, number> = { '1K': 1024, '2K': 2048, '4K': 3840 };
