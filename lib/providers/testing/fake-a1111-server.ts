import sharp from 'sharp';
import { startFakeHttpServer, type FakeHttpServer, type RecordedRequest, type ScriptedResponse } from './fake-http-server';

/**
 * A local stand-in for AUTOMATIC1111's API (`--api`), speaking its wire (`modules/api/models.py`,
 * `api.py`; see /work/shared/PROVIDER-WIRE.md) and at least as strict, before the script is read:
 * a wrong or missing basic auth when `auth` is set gets 401 `{"detail":"Incorrect username or
 * password"}`; other paths 404 `{"detail":"Not Found"}`; a body FastAPI would refuse (no prompt
 * text, a width that is not a number) 422 with its `detail` list; an unknown sampler 404
 * `{"detail":"Sampler not found"}`; img2img without `init_images` 500 as A1111's exception handler
 * answers. An unknown `sd_model_checkpoint` is not an error, as in A1111: the loaded checkpoint is
 * used, and `info.sd_model_name` says which.
 *
 * Unscripted valid calls generate: a real PNG of the asked width × height (sharp), `info` with the
 * seed used (the asked one, or a random one for -1), after `generationMs`. `POST /sdapi/v1/interrupt`
 * ends a generation in flight at once (A1111 then answers 200 with what it had). `GET
 * /sdapi/v1/progress` answers `ProgressResponse` with `state` as `shared.state.dict()`: while a
 * generation runs, `sampling_step` of `sampling_steps` (the request's `steps`, A1111's default 20)
 * advances with the time spent; idle, `job_count` 0 and progress 0.
 */
export interface FakeA1111Server extends FakeHttpServer {
  /** How many `POST /sdapi/v1/interrupt` calls arrived. */
  readonly interruptCount: number;
  /** Resolves when a generation is in flight (has started and not ended). */
  waitForGeneration(): Promise<void>;
  /** Changes how long the next unscripted generations take. */
  setGenerationMs(ms: number): void;
}

export interface FakeA1111ServerOptions {
  /** `user:pass` the server requires, like `--api-auth`. @default none */
  auth?: string;
  /** Checkpoint titles `sd-models` lists; the first is loaded. @default two SD checkpoints */
  checkpoints?: readonly { title: string; model_name: string; hash: string }[];
  /** Samplers the server knows. @default A few of A1111's */
  samplers?: readonly string[];
  /** How long an unscripted generation takes. @default 0 */
  generationMs?: number;
}

const defaultCheckpoints = [
  { title: 'sd_xl_base_1.0.safetensors [31e35c80fc]', model_name: 'sd_xl_base_1.0', hash: '31e35c80fc' },
  { title: 'v1-5-pruned-emaonly.safetensors [6ce0161689]', model_name: 'v1-5-pruned-emaonly', hash: '6ce0161689' },
];

const defaultSamplers = ['DPM++ 2M', 'Euler a', 'Euler', 'DDIM'];

/** Error answers in A1111's shapes, for scripts. */
export const a1111Responses = {
  /** `api_middleware`'s handler for any exception (e.g. CUDA out of memory). */
  exception: (status: number, errorName: string, message: string): ScriptedResponse => ({
    status,
    body: { error: errorName, detail: '', body: '', errors: message },
  }),
  /** FastAPI's `HTTPException`. */
  detail: (status: number, detail: string): ScriptedResponse => ({ status, body: { detail } }),
  /** FastAPI's request validation failure. */
  validation: (field: string, message: string): ScriptedResponse => ({
    status: 422,
    body: { detail: [{ loc: ['body', field], msg: message, type: 'value_error' }] },
  }),
};

/** Starts a fake A1111 on 127.0.0.1 (free port); `baseUrl` is its origin, as `A1111_URL` takes. */
export async function startFakeA1111Server(options: FakeA1111ServerOptions = {}): Promise<FakeA1111Server> {
  const checkpoints = options.checkpoints ?? defaultCheckpoints;
  const samplers = options.samplers ?? defaultSamplers;
  const expectedAuthorization = options.auth ? `Basic ${Buffer.from(options.auth).toString('base64')}` : undefined;
  let interruptCount = 0;
  let generationMs = options.generationMs ?? 0;
  let interruptCurrent: (() => void) | undefined;
  /** The generation in flight, for `/progress`. */
  let current: { startedAtMs: number; steps: number; generationMs: number } | undefined;
  const generationWaiters: (() => void)[] = [];

  const server = await startFakeHttpServer({
    name: 'fake-a1111-server',
    route: (request) => {
      if (expectedAuthorization && request.headers.authorization !== expectedAuthorization) {
        return { status: 401, headers: { 'www-authenticate': 'Basic' }, body: { detail: 'Incorrect username or password' } };
      }
      if (request.method === 'GET' && request.path === '/sdapi/v1/sd-models') {
        return { status: 200, body: checkpoints.map((checkpoint) => ({ ...checkpoint, sha256: null, filename: `/models/Stable-diffusion/${checkpoint.model_name}.safetensors`, config: null })) };
      }
      if (request.method === 'GET' && request.path.split('?')[0] === '/sdapi/v1/progress') {
        return { status: 200, body: progressOf(current) };
      }
      if (request.method === 'POST' && request.path === '/sdapi/v1/interrupt') {
        interruptCount += 1;
        interruptCurrent?.();
        return { status: 200, body: {} };
      }
      const isGeneration = request.method === 'POST' && (request.path === '/sdapi/v1/txt2img' || request.path === '/sdapi/v1/img2img');
      if (!isGeneration) return a1111Responses.detail(404, 'Not Found');
      return validationProblem(request, samplers);
    },
  });

  server.respondAlways(async (request) => {
    const body = request.json as Record<string, unknown>;
    current = { startedAtMs: Date.now(), steps: typeof body.steps === 'number' ? body.steps : 20, generationMs };
    for (const resolve of generationWaiters.splice(0)) resolve();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, generationMs);
      interruptCurrent = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    interruptCurrent = undefined;
    current = undefined;
    const width = Number(body.width ?? 512);
    const height = Number(body.height ?? 512);
    const seed = typeof body.seed === 'number' && body.seed >= 0 ? body.seed : Math.floor(Math.random() * 2 ** 32);
    const png = await sharp({ create: { width, height, channels: 3, background: { r: seed % 256, g: 80, b: 160 } } }).png().toBuffer();
    const asked = (body.override_settings as { sd_model_checkpoint?: string } | undefined)?.sd_model_checkpoint;
    const loaded = checkpoints.find((checkpoint) => checkpoint.title === asked) ?? checkpoints[0]!;
    const info = { prompt: body.prompt, all_prompts: [body.prompt], seed, all_seeds: [seed], width, height, sd_model_name: loaded.model_name, sd_model_hash: loaded.hash };
    return { status: 200, body: { images: [png.toString('base64')], parameters: body, info: JSON.stringify(info) } };
  });

  // Defined, not assigned: `Object.assign` would copy the getter's value once.
  return Object.defineProperties(server as FakeA1111Server, {
    interruptCount: { get: () => interruptCount },
    setGenerationMs: {
      value: (ms: number) => {
        generationMs = ms;
      },
    },
    waitForGeneration: {
      value: () => new Promise<void>((resolve) => (interruptCurrent ? resolve() : generationWaiters.push(resolve))),
    },
  });
}

/** `ProgressResponse` for the generation in flight (or idle), its step from the time spent. */
function progressOf(current: { startedAtMs: number; steps: number; generationMs: number } | undefined) {
  const idleState = { skipped: false, interrupted: false, stopping_generation: false, job: '', job_count: 0, job_timestamp: '0', job_no: 0, sampling_step: 0, sampling_steps: 0 };
  if (!current) return { progress: 0, eta_relative: 0, state: idleState, current_image: null, textinfo: null };
  const { generationMs } = current;
  const elapsedMs = Date.now() - current.startedAtMs;
  const fraction = generationMs > 0 ? Math.min(1, elapsedMs / generationMs) : 1;
  const step = Math.min(current.steps, Math.floor(fraction * current.steps));
  return {
    progress: fraction,
    eta_relative: Math.max(0, (generationMs - elapsedMs) / 1000),
    state: { ...idleState, job: 'txt2img', job_count: 1, job_timestamp: '20261130120000', sampling_step: step, sampling_steps: current.steps },
    current_image: null,
    textinfo: null,
  };
}

/** What A1111 (FastAPI, then its own checks) refuses before generating, or undefined for a valid call. */
function validationProblem(request: RecordedRequest, samplers: readonly string[]): ScriptedResponse | undefined {
  const body = request.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 422, body: { detail: [{ loc: ['body'], msg: 'field required', type: 'value_error.missing' }] } };
  }
  const fields = body as Record<string, unknown>;
  if (fields.prompt !== undefined && typeof fields.prompt !== 'string') return a1111Responses.validation('prompt', 'str type expected');
  for (const field of ['width', 'height', 'steps', 'seed', 'batch_size', 'n_iter']) {
    if (fields[field] !== undefined && !Number.isInteger(fields[field])) return a1111Responses.validation(field, 'value is not a valid integer');
  }
  if (fields.cfg_scale !== undefined && typeof fields.cfg_scale !== 'number') return a1111Responses.validation('cfg_scale', 'value is not a valid float');
  if (fields.sampler_name !== undefined && !samplers.includes(String(fields.sampler_name))) return a1111Responses.detail(404, 'Sampler not found');
  if (request.path === '/sdapi/v1/img2img') {
    const initImages = fields.init_images;
    if (!Array.isArray(initImages) || initImages.length === 0) {
      // A1111 has no check here: decoding `None` fails inside, and the exception handler answers 500.
      return a1111Responses.exception(500, 'TypeError', "'NoneType' object is not iterable");
    }
  }
  return undefined;
}
