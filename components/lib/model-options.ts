import type { AspectRatio } from '@/lib/core/image';
import {
  findOptionProblem,
  type ImageBackground,
  type ImageOptions,
  type ImageQuality,
  type ModelCapabilities,
  type OptionProblem,
  type OutputFormat,
} from '@/lib/core/image-options';
import type { ModelInfo, ProviderInfo, ProvidersCatalog } from '@/lib/core/model-catalog';

/**
 * The composer's provider/model picker and the chosen model's options, read from the catalog the
 * server advertises (`GET /api/providers`). Pure: the composer draws what these functions answer.
 */

export interface ModelChoice {
  providerId: string;
  modelId: string;
}

export interface ChosenModel {
  provider: ProviderInfo;
  model: ModelInfo;
}

/** The `<select>` value of a choice: provider ids have no colon, model ids may. */
export function choiceKey(choice: ModelChoice): string {
  return `${choice.providerId}:${choice.modelId}`;
}

export function parseChoiceKey(key: string): ModelChoice | undefined {
  const separator = key.indexOf(':');
  if (separator <= 0) return undefined;
  return { providerId: key.slice(0, separator), modelId: key.slice(separator + 1) };
}

export function findModel(catalog: ProvidersCatalog, choice: ModelChoice): ChosenModel | undefined {
  const provider = catalog.providers.find((candidate) => candidate.id === choice.providerId);
  const model = provider?.models.find((candidate) => candidate.id === choice.modelId);
  return provider && model ? { provider, model } : undefined;
}

/** The server's default, or the first model listed when the default is not among them. */
export function defaultChoice(catalog: ProvidersCatalog): ModelChoice | undefined {
  const preferred = { providerId: catalog.default.provider, modelId: catalog.default.model };
  if (findModel(catalog, preferred)) return preferred;
  const provider = catalog.providers.find((candidate) => candidate.models.length > 0);
  return provider ? { providerId: provider.id, modelId: provider.models[0]!.id } : undefined;
}

/** What a model's option is called in the picker: the demo says so. */
export function modelOptionLabel({ provider, model }: ChosenModel): string {
  return provider.isDemo ? `${model.label} (demo)` : model.label;
}

/** The size select's entry that reveals the WIDTHxHEIGHT field. */
export const customSizeValue = 'custom';

/** The composer's option values. `''` stands for the model's default and is not sent. */
export interface OptionValues {
  aspectRatio: AspectRatio | '';
  /** `''`, a size the model names, or `customSizeValue`. */
  size: string;
  /** The `WIDTHxHEIGHT` typed while `size` is `customSizeValue`. */
  customSize: string;
  quality: ImageQuality | '';
  outputFormat: OutputFormat | '';
  background: ImageBackground | '';
  /** The "More options" fields (diffusion controls), as typed; `''` is the model's default. */
  negativePrompt: string;
  seed: string;
  steps: string;
  cfgScale: string;
  /** `''` or one of the model's samplers. */
  sampler: string;
  denoisingStrength: string;
}

/** The "More options" fields, in the order the page shows them. */
export const extraOptionFields = ['negativePrompt', 'seed', 'steps', 'cfgScale', 'sampler', 'denoisingStrength'] as const;
export type ExtraOptionField = (typeof extraOptionFields)[number];

/** Which "More options" fields a model takes (none: the disclosure is not shown). */
export function extraOptionFieldsOf(capabilities: ModelCapabilities): ExtraOptionField[] {
  const extra = capabilities.extraOptions ?? {};
  return extraOptionFields.filter((field) => {
    if (field === 'sampler') return (extra.samplers?.length ?? 0) > 0;
    if (field === 'steps' || field === 'cfgScale') return extra[field] !== undefined;
    return extra[field] === true;
  });
}

const emptyExtraValues: Pick<OptionValues, ExtraOptionField> = { negativePrompt: '', seed: '', steps: '', cfgScale: '', sampler: '', denoisingStrength: '' };

export interface Choice<Value extends string> {
  value: Value;
  label: string;
}

export interface OptionChoices {
  aspectRatios: Choice<AspectRatio>[];
  sizes: Choice<string>[];
  qualities: Choice<ImageQuality | ''>[];
  outputFormats: Choice<OutputFormat>[];
  backgrounds: Choice<ImageBackground | ''>[];
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const formatLabels: Record<OutputFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP' };
const defaultLabel = 'Default';

/** `auto` is the default where a model offers it; without it, "Default" leaves the choice to the model. */
function withDefault<Value extends string>(values: readonly Value[]): Choice<Value | ''>[] {
  const choices: Choice<Value | ''>[] = values.map((value) => ({ value, label: capitalize(value) }));
  return values.length === 0 || values.includes('auto' as Value) ? choices : [{ value: '', label: defaultLabel }, ...choices];
}

/** What each select offers for a model; a select with fewer than two entries is not shown. */
export function optionChoicesOf(capabilities: ModelCapabilities): OptionChoices {
  const namedSizes = capabilities.sizes.map((size) => ({ value: size, label: size.replace('x', '×') }));
  const hasSizeChoice = namedSizes.length > 0 || capabilities.customSize !== undefined;
  return {
    aspectRatios: capabilities.aspectRatios.map((ratio) => ({ value: ratio, label: ratio })),
    sizes: hasSizeChoice
      ? [{ value: '', label: defaultLabel }, ...namedSizes, ...(capabilities.customSize ? [{ value: customSizeValue, label: 'Custom…' }] : [])]
      : [],
    qualities: withDefault(capabilities.qualities),
    outputFormats: capabilities.outputFormats.map((format) => ({ value: format, label: formatLabels[format] })),
    backgrounds: withDefault(capabilities.backgrounds),
  };
}

export function isOffered(choices: readonly Choice<string>[]): boolean {
  return choices.length > 1;
}

export function defaultOptionValues(capabilities: ModelCapabilities): OptionValues {
  const { aspectRatios, qualities, outputFormats, backgrounds } = capabilities;
  return {
    aspectRatio: aspectRatios.includes('1:1') ? '1:1' : (aspectRatios[0] ?? ''),
    size: '',
    customSize: '',
    quality: qualities.includes('auto') ? 'auto' : '',
    outputFormat: outputFormats[0] ?? '',
    background: backgrounds.includes('auto') ? 'auto' : '',
    ...emptyExtraValues,
  };
}

const isAmong = (choices: readonly Choice<string>[], value: string) => choices.some((choice) => choice.value === value);

/** After a change of model: what the new model takes is kept, the rest goes back to its default. */
export function reconcileOptionValues(values: OptionValues, capabilities: ModelCapabilities): OptionValues {
  const defaults = defaultOptionValues(capabilities);
  const choices = optionChoicesOf(capabilities);
  return {
    aspectRatio: isAmong(choices.aspectRatios, values.aspectRatio) ? values.aspectRatio : defaults.aspectRatio,
    size: isAmong(choices.sizes, values.size) ? values.size : defaults.size,
    customSize: values.customSize,
    quality: isAmong(choices.qualities, values.quality) ? values.quality : defaults.quality,
    outputFormat: isAmong(choices.outputFormats, values.outputFormat) ? values.outputFormat : defaults.outputFormat,
    background: isAmong(choices.backgrounds, values.background) ? values.background : defaults.background,
    ...keptExtraValues(values, capabilities),
  };
}

/** The "More options" values the new model takes (a sampler only if it lists it); the rest cleared. */
function keptExtraValues(values: OptionValues, capabilities: ModelCapabilities): Pick<OptionValues, ExtraOptionField> {
  const taken = new Set(extraOptionFieldsOf(capabilities));
  const kept = { ...emptyExtraValues };
  for (const field of taken) kept[field] = values[field];
  if (!(capabilities.extraOptions?.samplers ?? []).includes(kept.sampler)) kept.sampler = '';
  return kept;
}

/** Input images the model takes at most (0: no image-to-image). */
export function maxInputImagesOf(capabilities: ModelCapabilities): number {
  return capabilities.imageToImage ? capabilities.maxInputImages : 0;
}

/** The size to send: a named size, the typed `WIDTHxHEIGHT`, or nothing (the model's default). */
export function chosenSize(values: OptionValues): string | undefined {
  if (values.size === customSizeValue) {
    const typed = values.customSize.trim().toLowerCase().replace('×', 'x').replace(/\s+/g, '');
    return typed === '' ? undefined : typed;
  }
  return values.size === '' ? undefined : values.size;
}

/**
 * The options a request carries: only what was chosen. Defaults (`auto`, the model's first output
 * format) are left out; the aspect ratio is always sent, as before, since the tiles are drawn with it.
 */
export function toImageOptions(values: OptionValues, capabilities: ModelCapabilities): ImageOptions {
  const options: ImageOptions = {};
  if (values.aspectRatio !== '') options.aspectRatio = values.aspectRatio;
  const size = chosenSize(values);
  if (size !== undefined) options.size = size as ImageOptions['size'];
  if (values.quality !== '' && values.quality !== 'auto') options.quality = values.quality;
  if (values.outputFormat !== '' && values.outputFormat !== capabilities.outputFormats[0]) options.outputFormat = values.outputFormat;
  if (values.background !== '' && values.background !== 'auto') options.background = values.background;
  const taken = new Set(extraOptionFieldsOf(capabilities));
  if (taken.has('negativePrompt') && values.negativePrompt.trim() !== '') options.negativePrompt = values.negativePrompt;
  if (taken.has('sampler') && values.sampler !== '') options.sampler = values.sampler;
  for (const field of ['seed', 'steps', 'cfgScale', 'denoisingStrength'] as const) {
    const number = typedNumber(values[field]);
    if (taken.has(field) && number !== undefined) options[field] = number;
  }
  return options;
}

/** A typed number, or undefined when the field is empty or not a number (`findOptionValuesProblem` says so). */
function typedNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === '' || !Number.isFinite(Number(trimmed)) ? undefined : Number(trimmed);
}

/**
 * Why the options can't be sent to this model, checked as the server will check them, or
 * undefined. A custom size left empty is a problem here (the server would never see it).
 */
export function findOptionValuesProblem(values: OptionValues, model: ModelInfo, inputImageCount: number): OptionProblem | undefined {
  if (values.size === customSizeValue && chosenSize(values) === undefined) {
    return { field: 'size', message: 'Type a size as WIDTHxHEIGHT in pixels, e.g. 1536x864, or choose a size from the list.' };
  }
  const size = chosenSize(values);
  if (size !== undefined && values.size === customSizeValue && !/^\d+x\d+$/.test(size)) {
    return { field: 'size', message: `"${values.customSize.trim()}" is not a size: type WIDTHxHEIGHT in pixels, e.g. 1536x864.` };
  }
  for (const field of ['seed', 'steps', 'cfgScale', 'denoisingStrength'] as const) {
    if (values[field].trim() !== '' && typedNumber(values[field]) === undefined) {
      return { field, message: `${extraOptionLabels[field]} must be a number, or left empty for the model's default.` };
    }
  }
  if (values.seed.trim() !== '' && !Number.isInteger(Number(values.seed))) return { field: 'seed', message: 'Seed must be a whole number.' };
  if (values.steps.trim() !== '' && !Number.isInteger(Number(values.steps))) return { field: 'steps', message: 'Steps must be a whole number.' };
  return findOptionProblem(model.capabilities, toImageOptions(values, model.capabilities), model.label, inputImageCount);
}

/** How the page names the "More options" fields. */
export const extraOptionLabels: Record<ExtraOptionField, string> = {
  negativePrompt: 'Negative prompt',
  seed: 'Seed',
  steps: 'Steps',
  cfgScale: 'CFG scale',
  sampler: 'Sampler',
  denoisingStrength: 'Denoising strength',
};
