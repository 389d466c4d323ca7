import { ProviderError, sleep, type GenerateImageOptions, type ImageProvider } from '@/lib/core';
import { checkedImage } from '../shared/checked-image';
import { sanitizeDetails } from '../shared/error-helpers';
import { loadedCheckpointModelId } from './a1111-models';
import { a1111SizeFor } from './a1111-size';
import { generationInfoSchema, generationResponseSchema, progressResponseSchema, sdModelsSchema, type A1111GenerationRequest } from './a1111-wire';
import { classifyA1111Failure, classifyA1111Response } from './classify-a1111-error';

export interface A1111ProviderOptions {
  /** The web UI's origin, e.g. `http://127.0.0.1:7860` (started with `--api`). */
  baseUrl: string;
  /** `user:pass`, as its `--api-auth`; sent as HTTP basic auth. @default none */
  auth?: string;
  /** A checkpoint title or name from `GET /sdapi/v1/sd-models`, or `default` for the loaded one. */
  model: string;
  /** Timeout of one call. @default 600000 (10 minutes: a slow GPU at 150 steps takes that) */
  timeoutMs?: number;
  /** How long the checkpoint list is trusted before it is fetched again. @default 60000 */
  modelListTtlMs?: number;
  /** How often `GET /sdapi/v1/progress` is asked for the sampler step while an image is made. @default 1000 */
  progressPollMs?: number;
}

/**
 * The AUTOMATIC1111 adapter (also Forge and SD.Next): `POST /sdapi/v1/txt2img`, or `img2img` with
 * an input image, one image per call. A named checkpoint is first looked up in `sd-models`
 * (cached): A1111 silently falls back to another checkpoint for a name it does not know, and an
 * image from the wrong model is worse than an error. An abort or timeout also sends
 * `POST /sdapi/v1/interrupt`, or the GPU would keep working for a request nobody waits for; the
 * interrupt stops whatever runs, which is ours because this provider runs one call at a time.
 */
export function createA1111Provider(options: A1111ProviderOptions): ImageProvider {
  const { model, timeoutMs = 600_000, modelListTtlMs = 60_000, progressPollMs = 1_000 } = options;
  const origin = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  const secrets = options.auth ? [options.auth, options.auth.slice(options.auth.indexOf(':') + 1)] : [];
  let checkpointCheck: { title: Promise<string>; expiresAtMs: number } | undefined;

  const call = async (path: string, init: { method: 'GET' | 'POST'; body?: unknown; signal: AbortSignal }) => {
    const response = await fetch(`${origin}${path}`, {
      method: init.method,
      headers,
      signal: init.signal,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    if (!response.ok) throw classifyA1111Response(response.status, text, secrets);
    return JSON.parse(text) as unknown;
  };

  /** The checkpoint's full title, from the server's list (cached; a failed lookup is not). */
  const checkpointTitle = (signal: AbortSignal): Promise<string> => {
    if (!checkpointCheck || checkpointCheck.expiresAtMs <= Date.now()) {
      const title = call('/sdapi/v1/sd-models', { method: 'GET', signal }).then((json) => {
        const parsed = sdModelsSchema.safeParse(json);
        if (!parsed.success) throw new ProviderError('transient', 'AUTOMATIC1111 answered sd-models in an unexpected shape');
        const found = parsed.data.find((checkpoint) => [checkpoint.title, checkpoint.model_name, checkpoint.hash].includes(model));
        if (!found) {
          const available = parsed.data.map((checkpoint) => checkpoint.title).join(', ');
          throw new ProviderError('not_found', `AUTOMATIC1111 has no checkpoint "${model}"`, {
            details: sanitizeDetails(`available: ${available || 'none'}`, secrets),
          });
        }
        return found.title;
      });
      checkpointCheck = { title, expiresAtMs: Date.now() + modelListTtlMs };
      title.catch(() => (checkpointCheck = undefined));
    }
    return checkpointCheck.title;
  };

  const interrupt = () => {
    // Best effort: the call is already given up; a failure here changes nothing for it.
    fetch(`${origin}/sdapi/v1/interrupt`, { method: 'POST', headers, signal: AbortSignal.timeout(5_000) })
      .then((response) => response.body?.cancel())
      .catch(() => undefined);
  };

  /**
   * Asks `/sdapi/v1/progress` for the sampler step while the generation call runs (A1111 serves
   * it beside a running job). The server has one job at a time, and this provider runs one call at
   * a time, so the job it reports is ours. Best effort: a failed poll is skipped. Returns `stop`.
   */
  const watchProgress = (onProgress: NonNullable<GenerateImageOptions['onProgress']>, signal: AbortSignal): (() => void) => {
    const stopped = new AbortController();
    const pollSignal = AbortSignal.any([signal, stopped.signal]);
    const poll = async () => {
      while (!pollSignal.aborted) {
        await sleep(progressPollMs, pollSignal).catch(() => undefined);
        if (pollSignal.aborted) return;
        try {
          const parsed = progressResponseSchema.safeParse(await call('/sdapi/v1/progress?skip_current_image=true', { method: 'GET', signal: pollSignal }));
          const state = parsed.success ? parsed.data.state : undefined;
          if (!pollSignal.aborted && state?.job_count && state.sampling_steps) onProgress({ step: state.sampling_step ?? 0, totalSteps: state.sampling_steps });
        } catch {
          // A poll that failed tells nothing about the image: the generation call decides.
        }
      }
    };
    void poll();
    return () => stopped.abort();
  };

  return {
    id: 'a1111',
    modelId: model,
    isDemo: false,
    async generate(request, signal) {
      signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(timeoutMs);
      const callSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const isImageToImage = (request.inputImages?.length ?? 0) > 0;
      let isGenerating = false;
      try {
        const checkpoint = model === loadedCheckpointModelId ? undefined : await checkpointTitle(callSignal);
        isGenerating = true;
        const stopWatching = request.onProgress ? watchProgress(request.onProgress, callSignal) : () => {};
        const json = await call(isImageToImage ? '/sdapi/v1/img2img' : '/sdapi/v1/txt2img', {
          method: 'POST',
          body: generationRequestOf(request, model, checkpoint),
          signal: callSignal,
        }).finally(stopWatching);
        return imageOf(json);
      } catch (error) {
        if (isGenerating && callSignal.aborted) interrupt();
        throw classifyA1111Failure(error, { ...(signal ? { signal } : {}), secrets, origin });
      }
    },
  };
}

/** The neutral request in A1111's words; the options it leaves out get the server's defaults. */
export function generationRequestOf(request: GenerateImageOptions, modelId: string, checkpointTitle?: string): A1111GenerationRequest {
  const { width, height } = a1111SizeFor(request, modelId);
  const inputImage = request.inputImages?.[0];
  return {
    prompt: request.prompt,
    ...(request.negativePrompt ? { negative_prompt: request.negativePrompt } : {}),
    seed: request.seed ?? -1,
    ...(request.steps === undefined ? {} : { steps: request.steps }),
    ...(request.cfgScale === undefined ? {} : { cfg_scale: request.cfgScale }),
    ...(request.sampler ? { sampler_name: request.sampler } : {}),
    width,
    height,
    batch_size: 1,
    n_iter: 1,
    ...(checkpointTitle ? { override_settings: { sd_model_checkpoint: checkpointTitle }, override_settings_restore_afterwards: true } : {}),
    ...(inputImage
      ? {
          init_images: [Buffer.from(inputImage.bytes).toString('base64')],
          ...(request.denoisingStrength === undefined ? {} : { denoising_strength: request.denoisingStrength }),
        }
      : {}),
  };
}

/** The first image of the answer, and the seed `info` says it used. */
function imageOf(json: unknown) {
  const parsed = generationResponseSchema.safeParse(json);
  if (!parsed.success) throw new ProviderError('transient', 'AUTOMATIC1111 answered in an unexpected shape');
  const first = parsed.data.images[0];
  if (!first) throw new ProviderError('transient', 'AUTOMATIC1111 returned no image');
  const image = checkedImage(new Uint8Array(Buffer.from(first, 'base64')), 'AUTOMATIC1111');
  const seed = seedOf(parsed.data.info);
  return { ...image, ...(seed === undefined ? {} : { seed }) };
}

function seedOf(info: string | undefined): number | undefined {
  if (!info) return undefined;
  try {
    const parsed = generationInfoSchema.safeParse(JSON.parse(info));
    return parsed.success ? (parsed.data.all_seeds?.[0] ?? parsed.data.seed) : undefined;
  } catch {
    return undefined;
  }
}
