import { z } from 'zod';
import {
  aspectRatios,
  exactSizePattern,
  extraOptionLimits,
  findOptionProblem,
  formatUsd,
  imageCostUsd,
  roundUsd,
  imageBackgrounds,
  imageQualities,
  imageSizePresets,
  outputFormats,
  type ImageOptions,
  type ImageSize,
  type InputImage,
} from '@/lib/core';
import type { App, ResolvedModel } from './create-app';
import { InputError } from './input-error';

/**
 * The provider-neutral request vocabulary, shared by `/api/generate`, `/api/generate-with-image`
 * and `/api/batches` (JSON and multipart alike): which provider and model, the image options, and
 * a spending cap. Checked first for shape here, then against the chosen model's capabilities.
 */

const oneOf = <Values extends readonly [string, ...string[]]>(field: string, values: Values) =>
  z.enum(values, { error: `${field} must be one of ${values.join(', ')}.` }).optional();

const sizeSchema = z
  .string({ error: 'size must be a string such as "1K" or "1536x864".' })
  .trim()
  .refine((size) => (imageSizePresets as readonly string[]).includes(size) || exactSizePattern.test(size), {
    error: `size must be ${imageSizePresets.join(', ')} or WIDTHxHEIGHT in pixels, e.g. 1536x864.`,
  })
  .transform((size) => size as ImageSize)
  .optional();

const maxCostSchema = z
  .union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number)], {
    error: 'maxCostUsd must be a number of US dollars, e.g. 0.50.',
  })
  .pipe(z.number().positive('maxCostUsd must be more than 0.').max(100_000, 'maxCostUsd is at most 100000.'))
  .optional();

/** A number field: JSON sends a number, multipart a string; both parse the same. */
const numberField = (field: string, rule: (number: z.ZodNumber) => z.ZodNumber, description: string) =>
  z
    .union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)], { error: `${field} must be ${description}.` })
    .pipe(rule(z.number({ error: `${field} must be ${description}.` })))
    .optional();

const { negativePromptMaxLength, seedMax, steps, cfgScale } = extraOptionLimits;

/** The diffusion controls; each model's own ranges are checked afterwards (`findOptionProblem`). */
const extraOptionShape = {
  negativePrompt: z
    .string({ error: 'negativePrompt must be a string.' })
    .max(negativePromptMaxLength, `negativePrompt is at most ${negativePromptMaxLength} characters.`)
    .optional(),
  seed: numberField('seed', (number) => number.int().min(0).max(seedMax), `a whole number from 0 to ${seedMax}`),
  steps: numberField('steps', (number) => number.int().min(steps.min).max(steps.max), `a whole number from ${steps.min} to ${steps.max}`),
  cfgScale: numberField('cfgScale', (number) => number.min(cfgScale.min).max(cfgScale.max), `a number from ${cfgScale.min} to ${cfgScale.max}`),
  sampler: z.string({ error: 'sampler must be a string.' }).trim().min(1, 'sampler is empty.').max(100, 'sampler is too long.').optional(),
  denoisingStrength: numberField('denoisingStrength', (number) => number.min(0).max(1), 'a number from 0 to 1'),
};

const idSchema = (field: string) =>
  z
    .string({ error: `${field} must be a string.` })
    .trim()
    .min(1, `${field} is empty.`)
    .max(200, `${field} is too long.`)
    .optional();

/** The option fields of a request body, as zod shapes (spread into each route's schema). */
export const requestOptionShape = {
  provider: idSchema('provider'),
  model: idSchema('model'),
  aspectRatio: oneOf('aspectRatio', aspectRatios),
  size: sizeSchema,
  quality: oneOf('quality', imageQualities),
  outputFormat: oneOf('outputFormat', outputFormats),
  background: oneOf('background', imageBackgrounds),
  ...extraOptionShape,
  maxCostUsd: maxCostSchema,
};

export const requestOptionFields = Object.keys(requestOptionShape) as (keyof typeof requestOptionShape)[];

export type RequestOptionFields = z.output<z.ZodObject<typeof requestOptionShape>>;

/** What a validated request asks of the provider, besides its prompts and images. */
export interface RequestedGeneration {
  providerId?: string;
  modelId?: string;
  options: ImageOptions;
  maxCostUsd?: number;
}

export function toRequestedGeneration(fields: RequestOptionFields): RequestedGeneration {
  const { provider, model, maxCostUsd, aspectRatio, size, quality, outputFormat, background, ...extra } = fields;
  const options: ImageOptions = {};
  if (aspectRatio) options.aspectRatio = aspectRatio;
  if (size) options.size = size;
  if (quality) options.quality = quality;
  if (outputFormat) options.outputFormat = outputFormat;
  if (background) options.background = background;
  // An empty negative prompt asks for nothing: leave it out rather than refuse it on models without one.
  if (extra.negativePrompt?.trim()) options.negativePrompt = extra.negativePrompt;
  if (extra.seed !== undefined) options.seed = extra.seed;
  if (extra.steps !== undefined) options.steps = extra.steps;
  if (extra.cfgScale !== undefined) options.cfgScale = extra.cfgScale;
  if (extra.sampler) options.sampler = extra.sampler;
  if (extra.denoisingStrength !== undefined) options.denoisingStrength = extra.denoisingStrength;
  return {
    ...(provider ? { providerId: provider } : {}),
    ...(model ? { modelId: model } : {}),
    options,
    ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
  };
}

/** The text values of the option fields of a multipart form. */
export function formOptionValues(form: FormData): Record<string, string | undefined> {
  return Object.fromEntries(
    requestOptionFields.map((name) => {
      const value = form.get(name);
      return [name, typeof value === 'string' && value !== '' ? value : undefined];
    }),
  );
}

/**
 * The provider and model the request named (or the defaults), with its options checked against
 * what that model takes: a 400 naming the field and the allowed values otherwise. Nothing is
 * generated before this passes.
 */
export function resolveRequestedModel(
  app: App,
  requested: RequestedGeneration,
  inputImages: readonly InputImage[] = [],
): ResolvedModel & CostEstimate {
  const resolved = app.resolveModel(requested.providerId, requested.modelId);
  const problem = findOptionProblem(resolved.model.capabilities, requested.options, resolved.model.label, inputImages.length);
  if (problem) throw new InputError(problem.message, { field: problem.field });
  const estimatedImageCostUsd = resolved.providerInfo.isDemo
    ? 0
    : imageCostUsd(resolved.model.price, undefined, requested.options.quality, requested.options.size);
  assertCostCapFits(requested.maxCostUsd, estimatedImageCostUsd, resolved);
  return { ...resolved, ...(estimatedImageCostUsd === undefined ? {} : { estimatedImageCostUsd }) };
}

/** What one image of the request is expected to cost, from the model's list price (absent when unknown). */
export interface CostEstimate {
  estimatedImageCostUsd?: number;
}

/** The whole batch's estimate, rounded: `count` images at the per-image estimate. */
export function estimateBatchCostUsd(estimatedImageCostUsd: number | undefined, count: number): number | undefined {
  return estimatedImageCostUsd === undefined ? undefined : roundUsd(estimatedImageCostUsd * count);
}

/** A cap is only a promise when we know the price, and only useful when one image fits under it. */
function assertCostCapFits(maxCostUsd: number | undefined, estimateUsd: number | undefined, resolved: ResolvedModel): void {
  if (maxCostUsd === undefined) return;
  if (estimateUsd === undefined) {
    throw new InputError(
      `The price of ${resolved.model.label} is not known here, so maxCostUsd cannot be kept: set ${resolved.providerInfo.id.toUpperCase()}_PRICE_PER_IMAGE_USD="${resolved.model.id}=<usd>" on the server, or leave maxCostUsd out.`,
      { field: 'maxCostUsd' },
    );
  }
  if (estimateUsd > maxCostUsd) {
    throw new InputError(`maxCostUsd ${formatUsd(maxCostUsd)} is less than one image on ${resolved.model.label} (about ${formatUsd(estimateUsd)}).`, {
      field: 'maxCostUsd',
    });
  }
}
