import { z } from 'zod';

/**
 * AUTOMATIC1111's API as `modules/api/models.py` and `modules/api/api.py` define it (Forge and
 * SD.Next keep the same routes and shapes). Only the fields this app sends or reads.
 */

/** `StableDiffusionProcessingTxt2Img` fields we send; img2img adds `init_images` and `denoising_strength`. */
export interface A1111GenerationRequest {
  prompt: string;
  negative_prompt?: string;
  /** -1 asks A1111 for a random seed (it reports the one used in `info`). */
  seed: number;
  steps?: number;
  cfg_scale?: number;
  sampler_name?: string;
  width: number;
  height: number;
  /** One image per call: the engine schedules, retries and records each image on its own. */
  batch_size: 1;
  n_iter: 1;
  /** Picks the checkpoint for this call only; absent means the loaded one. */
  override_settings?: { sd_model_checkpoint: string };
  /** Keeps the override from sticking as the server's setting after the call. */
  override_settings_restore_afterwards?: boolean;
  /** img2img: base64 images (data URLs are also accepted). */
  init_images?: string[];
  denoising_strength?: number;
}

/** `TextToImageResponse` / `ImageToImageResponse`: `info` is a JSON string, not an object. */
export const generationResponseSchema = z.object({
  images: z.array(z.string()),
  parameters: z.unknown().optional(),
  info: z.string().optional(),
});

/** The part of `info` we read: the seed actually used (`all_seeds` lists one per image). */
export const generationInfoSchema = z.object({
  seed: z.number().int().optional(),
  all_seeds: z.array(z.number().int()).optional(),
  sd_model_name: z.string().nullish(),
});

/** `GET /sdapi/v1/sd-models`: each checkpoint by `title` ("name.safetensors [hash]") and `model_name`. */
export const sdModelsSchema = z.array(
  z.object({
    title: z.string(),
    model_name: z.string(),
    hash: z.string().nullish(),
  }),
);

/**
 * Error bodies. `api_middleware`'s handler answers any exception as
 * `{error: <exception class>, detail, body, errors: str(exception)}`; FastAPI answers an
 * `HTTPException` as `{detail: "…"}` and a validation failure (422) as `{detail: [{loc, msg, type}]}`.
 */
export const errorBodySchema = z.object({
  error: z.string().optional(),
  detail: z.union([z.string(), z.array(z.object({ loc: z.array(z.union([z.string(), z.number()])).optional(), msg: z.string().optional() }).loose())]).optional(),
  errors: z.string().optional(),
});
export type A1111ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * `GET /sdapi/v1/progress` (`ProgressResponse`): `state` is `shared.state.dict()`, whose
 * `sampling_step` of `sampling_steps` is the running job's sampler step; `job_count` is 0 when idle.
 */
export const progressResponseSchema = z.looseObject({
  progress: z.number().optional(),
  eta_relative: z.number().optional(),
  state: z.looseObject({
    job_count: z.number().int().optional(),
    sampling_step: z.number().int().optional(),
    sampling_steps: z.number().int().optional(),
  }),
});
