import sharp from 'sharp';
import { detectImageMimeType, type ModelCapabilities } from '@/lib/core';
// The pure model table, not the `../openrouter` front door: the fake must not load the adapter it tests.
import { openrouterModels, unknownOpenRouterCapabilities } from '../openrouter/openrouter-models';
import { startFakeHttpServer, type FakeHttpServer, type RecordedRequest, type ResponseScript, type ScriptedResponse } from './fake-http-server';
import { TINY_PNG_BASE64 } from './test-images';

/**
 * A local stand-in for OpenRouter's API (`baseUrl` ends in `/api/v1`, like
 * `https://openrouter.ai/api/v1`), speaking its wire format: chat completions with `modalities`,
 * images as data URLs in `choices[0].message.images`, errors as `{"error":{"code","message","metadata"}}`.
 *
 * At least as strict as the real service, before the script is consulted: other paths get a 404,
 * no bearer token (or one other than `apiKey`, when given) a 401, an unknown model OpenRouter's 400
 * "… is not a valid model ID", `modalities` without `image` a 400 (the real service would answer
 * with text only: the adapter must ask for images), `["image","text"]` on an image-only model the
 * 404 "No endpoints found…", an `image_config` the model cannot take a 400, and input images that
 * are not data URLs of real images a 400. `GET /api/v1/models` lists the models with their
 * `architecture.output_modalities`. Only valid chat requests reach the script.
 */
export type FakeOpenRouterServer = FakeHttpServer;

export interface FakeOpenRouterServerOptions {
  /** The only key accepted; any other bearer token is a 401 "User not found.". @default any bearer token */
  apiKey?: string;
  /** Ids accepted besides the known image models, taking what an unknown model takes (answering image and text). @default [] */
  extraModels?: readonly string[];
  /** Ids accepted besides the known image models that answer with an image only (like FLUX). @default [] */
  extraImageOnlyModels?: readonly string[];
}

interface FakeModel {
  capabilities: ModelCapabilities;
  outputModalities: readonly string[];
}

/** A text-only model, listed and callable, but never an image model. */
const textOnlyModelId = 'openai/gpt-4o-mini';

/** Starts a fake OpenRouter on 127.0.0.1 (free port). Script it with `respondWith(openrouterResponses.…())`. */
export async function startFakeOpenRouterServer(options: FakeOpenRouterServerOptions = {}): Promise<FakeOpenRouterServer> {
  const models = new Map<string, FakeModel>(openrouterModels.map(({ id, capabilities, modalities }) => [id, { capabilities, outputModalities: modalities }]));
  for (const id of options.extraModels ?? []) if (!models.has(id)) models.set(id, { capabilities: unknownOpenRouterCapabilities(), outputModalities: ['image', 'text'] });
  for (const id of options.extraImageOnlyModels ?? []) models.set(id, { capabilities: unknownOpenRouterCapabilities(), outputModalities: ['image'] });
  models.set(textOnlyModelId, { capabilities: { ...unknownOpenRouterCapabilities(), imageToImage: false }, outputModalities: ['text'] });

  return startFakeHttpServer({
    name: 'fake-openrouter-server',
    basePath: '/api/v1',
    route: (request) => {
      if (request.method === 'GET' && request.path.split('?')[0] === '/api/v1/models') return modelList(models, request.path);
      if (request.method !== 'POST' || request.path !== '/api/v1/chat/completions') {
        return openrouterResponses.error(404, 'Not Found');
      }
      const authorization = request.headers.authorization ?? '';
      if (!authorization.startsWith('Bearer ') || authorization === 'Bearer ') return openrouterResponses.error(401, 'No auth credentials found');
      if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) return openrouterResponses.error(401, 'User not found.');
      return rejectionOf(request, models);
    },
  });
}

/** The listing; `?output_modalities=image` keeps the models whose output includes an image, as the real one does. */
function modelList(models: ReadonlyMap<string, FakeModel>, path: string): ScriptedResponse {
  const wanted = new URL(path, 'http://fake').searchParams.get('output_modalities')?.split(',') ?? [];
  const listed = [...models].filter(([, model]) => wanted.every((modality) => model.outputModalities.includes(modality)));
  return {
    status: 200,
    body: {
      data: listed.map(([id, model]) => ({
        id,
        name: id,
        architecture: { input_modalities: ['text', 'image'], output_modalities: model.outputModalities, modality: `text+image->${model.outputModalities.join('+')}` },
        pricing: { prompt: '0.0000003', completion: '0.0000025', image: '0', request: '0' },
      })),
    },
  };
}

const chatParameters = new Set(['model', 'messages', 'modalities', 'image_config', 'stream', 'usage', 'provider', 'max_tokens', 'temperature', 'seed', 'user']);

/** The answer the real service gives before any image is made, or undefined when the request is valid. */
function rejectionOf(request: RecordedRequest, models: ReadonlyMap<string, FakeModel>): ScriptedResponse | undefined {
  const body = request.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return openrouterResponses.error(400, 'Invalid JSON body');
  const params = body as Record<string, unknown>;
  const unknown = Object.keys(params).find((name) => !chatParameters.has(name));
  if (unknown) return openrouterResponses.error(400, `Unrecognized key: "${unknown}"`);
  if (typeof params.model !== 'string') return openrouterResponses.error(400, 'Input required: specify "model"');
  const model = models.get(params.model);
  if (!model) return openrouterResponses.error(400, `${params.model} is not a valid model ID`);
  const messages = params.messages;
  if (!Array.isArray(messages) || messages.length === 0) return openrouterResponses.error(400, 'Input required: specify "messages"');

  const modalities = params.modalities;
  if (!Array.isArray(modalities) || !modalities.includes('image')) {
    return openrouterResponses.error(400, 'This request would produce no image: set "modalities" to include "image"');
  }
  if (modalities.some((modality) => !model.outputModalities.includes(String(modality)))) {
    return openrouterResponses.error(404, `No endpoints found that support the requested output modalities: ${modalities.join(', ')}`);
  }
  return rejectionOfImageConfig(params.image_config, model.capabilities) ?? rejectionOfInputImages(messages, model.capabilities);
}

function rejectionOfImageConfig(imageConfig: unknown, capabilities: ModelCapabilities): ScriptedResponse | undefined {
  if (imageConfig === undefined) return undefined;
  if (typeof imageConfig !== 'object' || imageConfig === null) return openrouterResponses.error(400, 'image_config must be an object');
  const { aspect_ratio: aspectRatio, image_size: imageSize, ...rest } = imageConfig as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra) return openrouterResponses.error(400, `Unrecognized key in image_config: "${extra}"`);
  if (aspectRatio !== undefined && !capabilities.aspectRatios.includes(aspectRatio as never)) {
    return openrouterResponses.error(400, `Invalid option: expected one of ${capabilities.aspectRatios.map((ratio) => `"${ratio}"`).join('|')} at image_config.aspect_ratio`);
  }
  if (imageSize !== undefined && !capabilities.sizes.includes(String(imageSize))) {
    return openrouterResponses.error(400, `image_config.image_size ${String(imageSize)} is not supported by this model`);
  }
  return undefined;
}

function rejectionOfInputImages(messages: unknown[], capabilities: ModelCapabilities): ScriptedResponse | undefined {
  const parts = messages.flatMap((message) => {
    const content = typeof message === 'object' && message !== null ? (message as { content?: unknown }).content : undefined;
    return Array.isArray(content) ? content : [];
  });
  const images = parts.filter((part) => (part as { type?: unknown }).type === 'image_url');
  if (images.length > 0 && !capabilities.imageToImage) return openrouterResponses.error(404, 'No endpoints found that support image input');
  if (images.length > capabilities.maxInputImages) return openrouterResponses.error(400, `Too many images: at most ${capabilities.maxInputImages}`);
  for (const image of images) {
    const url = (image as { image_url?: { url?: unknown } }).image_url?.url;
    const match = typeof url === 'string' ? /^data:(image\/(?:png|jpeg|webp|gif));base64,(.+)$/s.exec(url) : null;
    if (!match || !detectImageMimeType(new Uint8Array(Buffer.from(match[2]!, 'base64')))) {
      return openrouterResponses.error(400, 'Invalid image_url: expected a data URL of a PNG, JPEG, WebP or GIF image');
    }
  }
  return undefined;
}

/** What a model said in words, and what it spent. */
export interface OpenRouterAnswerOptions {
  /** `message.content`. @default '' */
  text?: string;
  /** Extra headers (e.g. `x-ratelimit-*`). @default none */
  headers?: Record<string, string>;
  /** @default 'stop' */
  finishReason?: string;
}

/** Pixel size for an aspect ratio, at about 64 pixels on the long edge (small, real images). */
function pixelsFor(aspectRatio: string | undefined): { width: number; height: number } {
  const [w, h] = (aspectRatio ?? '1:1').split(':').map(Number) as [number, number];
  return w >= h ? { width: 64, height: Math.max(1, Math.round((64 * h) / w)) } : { width: Math.max(1, Math.round((64 * w) / h)), height: 64 };
}

/** Ready-made answers in OpenRouter's wire format. */
export const openrouterResponses = {
  /** 200 with one image (a data URL of `base64`, a tiny PNG by default) and optional text. */
  image(options: OpenRouterAnswerOptions & { base64?: string; mimeType?: string } = {}): ScriptedResponse {
    const url = `data:${options.mimeType ?? 'image/png'};base64,${options.base64 ?? TINY_PNG_BASE64}`;
    return completion({ ...options, images: [url] });
  },

  /** 200 with a real PNG made by sharp in the requested aspect ratio (its pixels say which ratio was asked for). */
  imageFor(options: OpenRouterAnswerOptions = {}): ResponseScript {
    return async (request) => {
      const imageConfig = (request.json as { image_config?: { aspect_ratio?: string } }).image_config;
      const { width, height } = pixelsFor(imageConfig?.aspect_ratio);
      const png = await sharp({ create: { width, height, channels: 3, background: '#3366cc' } }).png().toBuffer();
      return completion({ ...options, images: [`data:image/png;base64,${png.toString('base64')}`] });
    };
  },

  /** 200 with only text: the model answered in words. */
  textOnly(text: string, options: Omit<OpenRouterAnswerOptions, 'text'> = {}): ScriptedResponse {
    return completion({ ...options, text, images: [] });
  },

  /** Any error in OpenRouter's envelope `{"error":{"code","message","metadata"}}`. */
  error(status: number, message: string, metadata?: Record<string, unknown>, headers: Record<string, string> = {}): ScriptedResponse {
    return { status, headers, body: { error: { code: status, message, ...(metadata ? { metadata } : {}) } } };
  },

  /** 402: the account (or the key's limit) has no credits left. */
  noCredits(): ScriptedResponse {
    return openrouterResponses.error(402, 'Insufficient credits. Add more using https://openrouter.ai/settings/credits');
  },

  /**
   * 429 with OpenRouter's `x-ratelimit-*` headers (reset in epoch ms), and `retry-after` (seconds)
   * when given. `inMetadata`: the headers come as an upstream's, in `error.metadata.headers` only.
   */
  rateLimited(options: { limit?: number; remaining?: number; resetAtMs?: number; retryAfterSeconds?: number; inMetadata?: boolean } = {}): ScriptedResponse {
    const rateHeaders: Record<string, string> = {
      'X-RateLimit-Limit': String(options.limit ?? 20),
      'X-RateLimit-Remaining': String(options.remaining ?? 0),
      'X-RateLimit-Reset': String(options.resetAtMs ?? Date.now() + 10_000),
    };
    const headers = { ...(options.inMetadata ? {} : rateHeaders), ...(options.retryAfterSeconds !== undefined ? { 'retry-after': String(options.retryAfterSeconds) } : {}) };
    return openrouterResponses.error(429, 'Rate limit exceeded: free-models-per-min.', { headers: rateHeaders }, headers);
  },
};

function completion(options: OpenRouterAnswerOptions & { images: string[] }): ScriptedResponse {
  return {
    status: 200,
    headers: options.headers ?? {},
    body: {
      id: 'gen-1767225600-abc',
      provider: 'Google',
      model: 'fake',
      object: 'chat.completion',
      created: 1_767_225_600,
      choices: [
        {
          index: 0,
          finish_reason: options.finishReason ?? 'stop',
          native_finish_reason: 'STOP',
          message: {
            role: 'assistant',
            content: options.text ?? '',
            ...(options.images.length > 0 ? { images: options.images.map((url) => ({ type: 'image_url', image_url: { url } })) } : {}),
          },
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 1290, total_tokens: 1302 },
    },
  };
}

