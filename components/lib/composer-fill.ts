import type { BatchView } from '@/lib/core/api-views';
import type { EmbeddedParameters } from '@/lib/core/embedded-parameters';
import type { AspectRatio } from '@/lib/core/image';
import { findOptionProblem, type ModelCapabilities } from '@/lib/core/image-options';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import { withoutUndefined } from '@/lib/core/without-undefined';
import type { BatchRequest } from './batch-api';
import { promptOfIndex } from './batch-state';
import { customSizeValue, defaultOptionValues, extraOptionFields, findModel, reconcileOptionValues, type ChosenModel, type ModelChoice, type OptionValues } from './model-options';
import { nearestImageCount } from './prompt-plan';

/**
 * What the composer takes from elsewhere: a batch of the gallery ("Use these settings") or the
 * settings a dropped PNG carries. Each is fitted to a model this server offers, so the composer
 * never holds an option its model can't take. Pure.
 */
export interface ComposerFill {
  /** The prompt text: one line per prompt. */
  prompt: string;
  /** A model this server offers, when the source names one; absent: the current model stays. */
  choice?: ModelChoice;
  /** Every option, for the model the fill leaves chosen. */
  options: OptionValues;
  /** Images per prompt, when the source says. */
  numberOfImages?: number;
}

interface WantedOptions {
  aspectRatio?: AspectRatio;
  size?: string;
  quality?: string;
  outputFormat?: string;
  background?: string;
  negativePrompt?: string;
  seed?: number | string;
  steps?: number | string;
  cfgScale?: number | string;
  sampler?: string;
  denoisingStrength?: number | string;
}

/** `wanted` over `base`, keeping only what the model offers (a `WxH` it takes becomes the custom size). */
function fitOptions(base: OptionValues, wanted: WantedOptions, capabilities: ModelCapabilities, modelLabel: string): OptionValues {
  const merged = { ...base } as OptionValues;
  if (wanted.aspectRatio) merged.aspectRatio = wanted.aspectRatio;
  if (wanted.quality) merged.quality = wanted.quality as OptionValues['quality'];
  if (wanted.outputFormat) merged.outputFormat = wanted.outputFormat as OptionValues['outputFormat'];
  if (wanted.background) merged.background = wanted.background as OptionValues['background'];
  // The "More options" fields hold text; `reconcileOptionValues` clears those the model does not take.
  for (const field of extraOptionFields) {
    const value = wanted[field];
    if (value !== undefined && value !== '') merged[field] = String(value);
  }
  if (wanted.size) {
    if (capabilities.sizes.includes(wanted.size)) merged.size = wanted.size;
    else if (capabilities.customSize && !findOptionProblem(capabilities, { size: wanted.size as `${number}x${number}` }, modelLabel)) {
      merged.size = customSizeValue;
      merged.customSize = wanted.size;
    }
  }
  return reconcileOptionValues(merged, capabilities);
}

function resolveModel(catalog: ProvidersCatalog, current: ChosenModel, providerId: string | undefined, modelId: string | undefined) {
  const found = providerId && modelId ? findModel(catalog, { providerId, modelId }) : undefined;
  return found ? { target: found, choice: { providerId: found.provider.id, modelId: found.model.id } } : { target: current };
}

/** "Use these settings": the batch's prompts (one a line), model, options and images per prompt. */
export function fillFromBatch(batch: BatchView, catalog: ProvidersCatalog, current: ChosenModel): ComposerFill {
  const { target, choice } = resolveModel(catalog, current, batch.provider, batch.model);
  const { capabilities, label } = target.model;
  return {
    prompt: batch.prompts.join('\n'),
    ...(choice ? { choice } : {}),
    options: fitOptions(defaultOptionValues(capabilities), batch, capabilities, label),
    numberOfImages: nearestImageCount(batch.numberOfImages),
  };
}

/**
 * A dropped image's settings: its prompt, its model when this server offers it (this app's images),
 * and the aspect ratio, size and diffusion controls (negative prompt, seed, steps…) where the model
 * takes them; the rest of the composer stays.
 */
export function fillFromEmbeddedParameters(
  parameters: EmbeddedParameters,
  catalog: ProvidersCatalog,
  current: ChosenModel,
  currentOptions: OptionValues,
): ComposerFill {
  const { target, choice } = resolveModel(catalog, current, parameters.providerId, parameters.modelId);
  const { capabilities, label } = target.model;
  const base = choice ? reconcileOptionValues(currentOptions, capabilities) : currentOptions;
  const wanted: WantedOptions = {
    ...(parameters.aspectRatio ? { aspectRatio: parameters.aspectRatio } : {}),
    ...(parameters.size ? { size: parameters.size } : {}),
    // A1111's names for the diffusion controls (this app writes the same); the model keeps those it takes.
    ...withoutUndefined({
      negativePrompt: parameters.negativePrompt,
      seed: parameters.seed,
      steps: parameters.settings.Steps,
      cfgScale: parameters.settings['CFG scale'],
      sampler: parameters.settings.Sampler,
      denoisingStrength: parameters.settings['Denoising strength'],
    }),
  };
  return { prompt: parameters.prompt, ...(choice ? { choice } : {}), options: fitOptions(base, wanted, capabilities, label) };
}

/** "More like this": image `index` of the batch made once more, with the batch's prompt, model and options. */
export function moreLikeThisRequest(batch: BatchView, index: number, images: File[] = []): BatchRequest {
  const prompt = batch.items?.find((item) => item.index === index)?.prompt ?? promptOfIndex(batch.prompts, batch.total, index);
  return {
    prompts: [prompt],
    numberOfImages: 1,
    provider: batch.provider,
    model: batch.model,
    ...(batch.aspectRatio ? { aspectRatio: batch.aspectRatio } : {}),
    ...(batch.size ? { size: batch.size } : {}),
    ...(batch.quality ? { quality: batch.quality } : {}),
    ...(batch.outputFormat ? { outputFormat: batch.outputFormat } : {}),
    ...(batch.background ? { background: batch.background } : {}),
    // The same controls but not the seed: the same seed would make the same image, not one like it.
    ...withoutUndefined({
      negativePrompt: batch.negativePrompt,
      steps: batch.steps,
      cfgScale: batch.cfgScale,
      sampler: batch.sampler,
      denoisingStrength: batch.denoisingStrength,
    }),
    ...(images.length > 0 ? { images } : {}),
  };
}
