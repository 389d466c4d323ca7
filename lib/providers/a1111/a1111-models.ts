import { aspectRatios, extraOptionLimits, type ModelCapabilities } from '@/lib/core';

/**
 * What a Stable Diffusion checkpoint behind AUTOMATIC1111 (or Forge, SD.Next) takes. The server
 * cannot tell us a checkpoint's family synchronously, so the family is read from its name.
 */

/** The model id meaning "whatever checkpoint the server has loaded": no `sd_model_checkpoint` is sent. */
export const loadedCheckpointModelId = 'default';

/**
 * A1111's own sampler names (`GET /sdapi/v1/samplers` of 1.9+); the first is its default.
 * `A1111_SAMPLERS` replaces the list for servers with others (Forge and SD.Next add some).
 */
export const defaultA1111Samplers = [
  'DPM++ 2M',
  'Euler a',
  'Euler',
  'DPM++ SDE',
  'DPM++ 2M SDE',
  'DPM++ 3M SDE',
  'DPM++ 2S a',
  'LMS',
  'Heun',
  'DPM2',
  'DPM2 a',
  'DPM fast',
  'DPM adaptive',
  'Restart',
  'DDIM',
  'PLMS',
  'UniPC',
  'LCM',
];

/**
 * SD 1.x and 2.x checkpoints were trained at 512 pixels and make doubled limbs at 1024; everything
 * since (SDXL, Pony, Illustrious, SD3, Flux on Forge) at about 1024². A name that says 1.5/2.x gets
 * 512; any other name, and the loaded checkpoint, 1024 (today's common case).
 */
export function baseEdgeFor(modelId: string): 512 | 1024 {
  return /(^|[^a-z0-9])(sd[-_ ]?1[._-]?[45]|sd[-_ ]?2[._-]?[01]?|v1[-_][45]|v2[-_][01])([^0-9]|$)/i.test(modelId) ? 512 : 1024;
}

/** A1111 sizes are multiples of 8 (the latent is an eighth of the image), 64 to 2048 per edge. */
export const a1111SizeRule = { multipleOf: 8, maxEdge: 2048, minPixels: 64 * 64, maxPixels: 2048 * 2048, maxAspectRatio: 8 } as const;

export function a1111Capabilities(modelId: string, samplers: readonly string[]): ModelCapabilities {
  return {
    aspectRatios: [...aspectRatios],
    // `1K` is the model's native area; `2K` doubles each edge (slow, and SD 1.5 repeats itself there).
    sizes: ['1K', '2K'],
    customSize: { ...a1111SizeRule },
    qualities: [],
    outputFormats: ['png'],
    backgrounds: [],
    imageToImage: true,
    // img2img takes several `init_images`, but only the first is denoised: one is all that means anything.
    maxInputImages: 1,
    extraOptions: {
      negativePrompt: true,
      seed: true,
      steps: { ...extraOptionLimits.steps, default: 20 },
      cfgScale: { ...extraOptionLimits.cfgScale, default: 7 },
      samplers: [...samplers],
      denoisingStrength: true,
    },
  };
}
