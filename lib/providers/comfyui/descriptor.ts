import { basename } from 'node:path';
import { z } from 'zod';
import { aspectRatios, extraOptionLimits, type ExtraOptionCapabilities, type ModelCapabilities } from '@/lib/core';
import type { ProviderDescriptor } from '../descriptor';
import { optionalText } from '../shared/env-schemas';
import { createComfyUIProvider } from './comfyui-provider';
import { comfyUISizeMultiple } from './comfyui-size';
import { builtInImageToImageTemplate, builtInTextToImageTemplate, loadWorkflowTemplate, type WorkflowTemplate } from './workflow-template';

const optionalUrl = optionalText.refine((value) => value === undefined || /^https?:\/\/[^\s]+$/i.test(value), { message: 'must be an http(s) URL, e.g. http://127.0.0.1:8188' });

const rawEnvSchema = z.object({
  /** The ComfyUI server, e.g. `http://127.0.0.1:8188`. Without it the provider is off (it needs no key). */
  COMFYUI_URL: optionalUrl,
  /** A text-to-image workflow in API format (a JSON file path). @default the shipped SD1.5 graph (workflows/text-to-image.json) */
  COMFYUI_WORKFLOW: optionalText,
  /** Its mapping (which node input gets the prompt, seed, size…). @default the workflow's path with `.mapping.json` */
  COMFYUI_WORKFLOW_MAPPING: optionalText,
  /** An image-to-image workflow in API format (with a LoadImage node). @default the shipped SD1.5 graph (workflows/image-to-image.json) */
  COMFYUI_IMAGE_WORKFLOW: optionalText,
  /** Its mapping, which must name `inputImage`. @default the workflow's path with `.mapping.json` */
  COMFYUI_IMAGE_WORKFLOW_MAPPING: optionalText,
  /** A fixed base seed: image n gets base + n - 1, so a batch can be made again. @default a random seed per image */
  COMFYUI_SEED: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().or(z.literal('').transform(() => undefined)),
  /** How often the adapter asks `/history` whether a prompt is done. @default 500 */
  COMFYUI_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
});

/** The env with its workflow files read and checked at start-up, so a bad file fails the configuration, not a batch. */
const envSchema = rawEnvSchema.transform((env, context) => {
  if (!env.COMFYUI_URL) return { ...env, textToImage: undefined, imageToImage: undefined };
  const load = (variable: string, path: string | undefined, mappingPath: string | undefined, builtIn: () => WorkflowTemplate) => {
    try {
      return path ? loadWorkflowTemplate(path, mappingPath) : builtIn();
    } catch (error) {
      context.addIssue({ code: 'custom', path: [variable], message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };
  const textToImage = load('COMFYUI_WORKFLOW', env.COMFYUI_WORKFLOW, env.COMFYUI_WORKFLOW_MAPPING, builtInTextToImageTemplate);
  const imageToImage = load('COMFYUI_IMAGE_WORKFLOW', env.COMFYUI_IMAGE_WORKFLOW, env.COMFYUI_IMAGE_WORKFLOW_MAPPING, builtInImageToImageTemplate);
  if (imageToImage && !imageToImage.mapping.inputImage) {
    context.addIssue({ code: 'custom', path: ['COMFYUI_IMAGE_WORKFLOW_MAPPING'], message: 'must name inputImage (the LoadImage node\'s "image" input)' });
  }
  return { ...env, textToImage, imageToImage };
});

type ComfyUIEnv = z.output<typeof envSchema>;

/** The model a ComfyUI setup offers is its workflow: named after the file (`default` for the shipped one). */
function workflowModelId(env: ComfyUIEnv): string {
  return env.COMFYUI_WORKFLOW ? basename(env.COMFYUI_WORKFLOW).replace(/\.json$/i, '') : 'default';
}

function capabilitiesOf(env: ComfyUIEnv): ModelCapabilities {
  return {
    aspectRatios: [...aspectRatios],
    sizes: ['1K', '2K'],
    // ComfyUI takes any size its latent can hold; the graph's model decides what looks good.
    customSize: { multipleOf: comfyUISizeMultiple, maxEdge: 8192, minPixels: 64 * 64, maxPixels: 8192 * 8192, maxAspectRatio: 8 },
    qualities: [],
    outputFormats: ['png'],
    backgrounds: [],
    imageToImage: env.imageToImage !== undefined,
    maxInputImages: env.imageToImage ? 1 : 0,
    ...(env.textToImage ? { extraOptions: extraOptionsOf(env.textToImage) } : {}),
  };
}

/**
 * The diffusion controls a workflow takes: those its mapping places (the seed always: without a
 * mapping for it the template's own is used and said in a warning). A control's default is the
 * template's own value where the mapping points at a number.
 */
function extraOptionsOf(template: WorkflowTemplate): ExtraOptionCapabilities {
  const templateNumber = (key: 'steps' | 'cfgScale', fallback: number) => {
    const target = template.mapping[key];
    const value = target ? template.workflow[target.node]?.inputs[target.input] : undefined;
    return typeof value === 'number' ? value : fallback;
  };
  return {
    seed: true,
    ...(template.mapping.negativePrompt ? { negativePrompt: true } : {}),
    ...(template.mapping.steps ? { steps: { ...extraOptionLimits.steps, default: templateNumber('steps', 20) } } : {}),
    ...(template.mapping.cfgScale ? { cfgScale: { ...extraOptionLimits.cfgScale, default: templateNumber('cfgScale', 7) } } : {}),
  };
}

export const comfyuiDescriptor: ProviderDescriptor<ComfyUIEnv> = {
  id: 'comfyui',
  label: 'ComfyUI (local)',
  isDemo: false,
  envSchema: envSchema as unknown as z.ZodType<ComfyUIEnv>,
  isConfigured: (env) => env.COMFYUI_URL !== undefined && env.textToImage !== undefined,
  configureHint: 'set COMFYUI_URL',
  // A local server queues prompts itself: one at a time (the global default), with no spacing.
  pacingDefaults: { mode: 'sequential', minIntervalMs: 0 },
  models(env) {
    const id = workflowModelId(env);
    // Local GPU time is not billed per image.
    return [{ id, label: `ComfyUI workflow: ${id}`, capabilities: capabilitiesOf(env), price: { perImageUsd: { '*': 0 } } }];
  },
  createProvider(env, model, settings) {
    return createComfyUIProvider({
      baseUrl: env.COMFYUI_URL!,
      textToImage: env.textToImage!,
      ...(env.imageToImage ? { imageToImage: env.imageToImage } : {}),
      modelId: model.id,
      // The global provider timeout is sized for cloud APIs; a local queue may hold a prompt longer.
      timeoutMs: Math.max(settings.timeoutMs, 600_000),
      pollIntervalMs: env.COMFYUI_POLL_INTERVAL_MS,
      ...(env.COMFYUI_SEED !== undefined ? { seedBase: env.COMFYUI_SEED } : {}),
    });
  },
};
