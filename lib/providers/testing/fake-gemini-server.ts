import type { ModelCapabilities } from '@/lib/core';
import { defaultGeminiModelId, geminiModels, takesImageSize, unknownGeminiCapabilities } from '../gemini/gemini-models';
import {
  startFakeHttpServer,
  type FakeHttpServer,
  type RecordedRequest,
  type ResponseScript,
  type ScriptedResponse,
} from './fake-http-server';
import { TINY_JPEG_BASE64, TINY_PNG_BASE64 } from './test-images';

/**
 * A local stand-in for the Gemini API (`generativelanguage.googleapis.com`) speaking its real wire
 * format (see /work/shared/PROVIDER-WIRE.md). Point the adapter's `baseUrl` at `server.baseUrl`.
 *
 * At least as strict as Google, before any script answers: only
 * `POST /v1beta/models/{model}:generateContent` gets through (other paths get Google's 404), a
 * request without `x-goog-api-key` gets Google's 403, a model that is not a current one
 * (`geminiModels`: retired and `-preview` ids included) gets Google's 404 NOT_FOUND, and an
 * `imageConfig` the model does not take gets 400 INVALID_ARGUMENT. Success bodies without a
 * `modelVersion` get the requested model's id, as Google echoes it.
 */
export type FakeGeminiServer = FakeHttpServer;

export interface FakeGeminiServerOptions {
  /**
   * Model ids answered besides the current ones (`geminiModels`), taking what every Gemini image
   * model takes (`unknownGeminiCapabilities`: no `imageSize`). For simulators and benches that name
   * other ids. @default []
   */
  extraModels?: readonly string[];
}

const generateContentPath = /^\/v1beta\/models\/[^/:?]+:generateContent(\?.*)?$/;

/** Starts a fake Gemini API on 127.0.0.1 (free port). Script it with `respondWith(geminiResponses.…())`. */
export async function startFakeGeminiServer(options: FakeGeminiServerOptions = {}): Promise<FakeGeminiServer> {
  const capabilitiesByModel = new Map<string, ModelCapabilities>([
    ...(options.extraModels ?? []).map((id): [string, ModelCapabilities] => [id, unknownGeminiCapabilities()]),
    ...geminiModels.map((known): [string, ModelCapabilities] => [known.id, known.capabilities]),
  ]);
  const server = await startFakeHttpServer({
    name: 'fake-gemini-server',
    route: (request) => {
      if (request.method !== 'POST' || !generateContentPath.test(request.path)) {
        return geminiResponses.error(404, 'NOT_FOUND', `Method not found: ${request.method} ${request.path}`);
      }
      if (!request.headers['x-goog-api-key'] && !request.path.includes('key=')) {
        return geminiResponses.error(
          403,
          'PERMISSION_DENIED',
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        );
      }
      const model = geminiModelOf(request) ?? '';
      const capabilities = capabilitiesByModel.get(model);
      if (!capabilities) return geminiResponses.modelNotFound(model);
      const problem = imageConfigProblem(request.json, model, capabilities);
      return problem === undefined ? undefined : geminiResponses.invalidArgument(problem);
    },
  });
  const echoingModel = (script: ResponseScript): ResponseScript => async (request) =>
    withModelVersion(typeof script === 'function' ? await script(request) : script, geminiModelOf(request));
  return {
    ...server,
    respondWith: (...responses) => server.respondWith(...responses.map(echoingModel)),
    respondAlways: (response) => server.respondAlways(echoingModel(response)),
  };
}

/** The model named in a recorded request's path, e.g. `gemini-nano-banana-2.1`. */
export function geminiModelOf(request: RecordedRequest): string | undefined {
  return /\/models\/([^/:?]+):/.exec(request.path)?.[1];
}

/** Google's 400 wording for an `imageConfig` field (`* GenerateContentRequest.generation_config.image_config.…`). */
function imageConfigProblem(json: unknown, model: string, capabilities: ModelCapabilities): string | undefined {
  const imageConfig = recordAt(recordAt(json, 'generationConfig'), 'imageConfig');
  if (!imageConfig) return undefined;
  const field = (name: string) => `* GenerateContentRequest.generation_config.image_config.${name}`;
  const oneOf = (values: readonly string[]) =>
    values.length === 1 ? `'${values[0]}'` : `${values.slice(0, -1).map((value) => `'${value}'`).join(', ')}, or '${values.at(-1)}'`;
  const { aspectRatio, imageSize } = imageConfig;
  if (aspectRatio !== undefined && !(capabilities.aspectRatios as readonly unknown[]).includes(aspectRatio)) {
    return `${field('aspect_ratio')}: aspect_ratio must be one of ${oneOf(capabilities.aspectRatios)}.\n`;
  }
  if (imageSize !== undefined) {
    if (!takesImageSize(capabilities)) return `${field('image_size')}: image_size is not supported for models/${model}.\n`;
    if (!capabilities.sizes.includes(String(imageSize)) || typeof imageSize !== 'string') {
      return `${field('image_size')}: image_size must be one of ${oneOf(capabilities.sizes)}.\n`;
    }
  }
  return undefined;
}

function recordAt(value: unknown, key: string): Record<string, unknown> | undefined {
  const inner = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : undefined;
}

/** A 200 JSON body without `modelVersion` gets the requested model's, as Google's do. */
function withModelVersion(response: ScriptedResponse, model: string | undefined): ScriptedResponse {
  const body = response.body;
  if (response.status !== 200 || model === undefined || typeof body !== 'object' || body === null || body instanceof Uint8Array) return response;
  return 'modelVersion' in body ? response : { ...response, body: { ...body, modelVersion: model } };
}

/** `usageMetadata` as Gemini 3 image models send it (thinking included). */
export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: { modality: string; tokenCount: number }[];
  candidatesTokensDetails?: { modality: string; tokenCount: number }[];
}

/** A 1K image from a Gemini 3 image model: 1120 image tokens, some thinking. */
const defaultUsageMetadata: GeminiUsageMetadata = {
  promptTokenCount: 10,
  candidatesTokenCount: 1120,
  thoughtsTokenCount: 180,
  totalTokenCount: 1310,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: 10 }],
  candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 1120 }],
};

interface SuccessOptions {
  /** `null` leaves `usageMetadata` out. @default a Gemini 3 1K image's, `thoughtsTokenCount` included */
  usageMetadata?: GeminiUsageMetadata | null;
  /** @default the requested model's id (filled in by the server) */
  modelVersion?: string;
}

function success(body: Record<string, unknown>, options: SuccessOptions = {}): ScriptedResponse {
  const usageMetadata = options.usageMetadata === undefined ? defaultUsageMetadata : options.usageMetadata;
  return {
    status: 200,
    body: {
      ...body,
      ...(usageMetadata === null ? {} : { usageMetadata }),
      ...(options.modelVersion === undefined ? {} : { modelVersion: options.modelVersion }),
      responseId: 'fake-response-id',
    },
  };
}

/** A `thoughtSignature` as Gemini 3 sends it on the final part (opaque base64). */
const fakeThoughtSignature = 'CiQB0e2Kb3fakeThoughtSignatureForTests0123456789abcdefABCDEF==';

/** What Gemini would label these bytes (JPEG or PNG: the test images). */
function mimeTypeOf(base64: string): string {
  return base64.startsWith('/9j/') ? 'image/jpeg' : 'image/png';
}

function candidateWith(parts: unknown[]): Record<string, unknown> {
  return { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }] };
}

const quotaHelp = {
  '@type': 'type.googleapis.com/google.rpc.Help',
  links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
};

const quotaMessageStart =
  'You exceeded your current quota, please check your plan and billing details. For more information on this error, ' +
  'head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: ' +
  'https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: ';

/** Ready-made answers in Gemini's real shapes. Spread and add `delayMs` for latency: `{ ...image(), delayMs: 500 }`. */
export const geminiResponses = {
  /** 200 with one image part (optionally text parts around it, or further images after it). */
  image(
    options: {
      /** @default a real 2x2 PNG */
      base64?: string;
      /** @default 'image/png' */
      mimeType?: string;
      textBefore?: string;
      textAfter?: string;
      /** More images after the first (the API sometimes returns several). */
      extraImagesBase64?: string[];
    } & SuccessOptions = {},
  ): ScriptedResponse {
    const mimeType = options.mimeType ?? 'image/png';
    const parts: unknown[] = [];
    if (options.textBefore !== undefined) parts.push({ text: options.textBefore });
    parts.push({ inlineData: { mimeType, data: options.base64 ?? TINY_PNG_BASE64 } });
    for (const data of options.extraImagesBase64 ?? []) parts.push({ inlineData: { mimeType, data } });
    if (options.textAfter !== undefined) parts.push({ text: options.textAfter });
    return success(candidateWith(parts), options);
  },

  /**
   * 200 from a thinking Gemini 3 image model: a thought text, interim draft images marked
   * `thought: true`, then the final image carrying a `thoughtSignature`.
   */
  thoughtImages(
    options: {
      /** The final image. @default a real 2x2 PNG */
      base64?: string;
      /** The drafts, before the final image. @default one draft, a 2x2 JPEG (told apart from the final PNG by its bytes) */
      thoughtImagesBase64?: string[];
      /** @default a short plan, as the model writes it */
      thoughtText?: string;
    } & SuccessOptions = {},
  ): ScriptedResponse {
    const finalBase64 = options.base64 ?? TINY_PNG_BASE64;
    const parts: unknown[] = [
      { text: options.thoughtText ?? '**Composing the scene**\n\nI am placing the fox in the foreground.', thought: true },
      ...(options.thoughtImagesBase64 ?? [TINY_JPEG_BASE64]).map((data) => ({ inlineData: { mimeType: mimeTypeOf(data), data }, thought: true })),
      { inlineData: { mimeType: mimeTypeOf(finalBase64), data: finalBase64 }, thoughtSignature: fakeThoughtSignature },
    ];
    return success(candidateWith(parts), options);
  },

  /** 200 whose every image part is a thought (no final image part): the last draft is all there is. */
  allThoughtImages(options: { imagesBase64?: string[] } & SuccessOptions = {}): ScriptedResponse {
    const images = options.imagesBase64 ?? [TINY_JPEG_BASE64, TINY_PNG_BASE64];
    const parts: unknown[] = [
      { text: '**Drafting**', thought: true },
      ...images.map((data, position) => ({
        inlineData: { mimeType: mimeTypeOf(data), data },
        thought: true,
        ...(position === images.length - 1 ? { thoughtSignature: fakeThoughtSignature } : {}),
      })),
    ];
    return success(candidateWith(parts), options);
  },

  /**
   * 200 with the empty candidate Gemini sends when it withholds the image:
   * `{"content":{"role":"model"},"finishReason":…,"finishMessage":…}`, no `parts` at all.
   */
  emptyCandidate(
    finishReason = 'IMAGE_SAFETY',
    finishMessage = 'Unable to show the generated image. The image was filtered out because it violated Google\'s Generative AI Prohibited Use policy.',
  ): ScriptedResponse {
    return success(
      { candidates: [{ content: { role: 'model' }, finishReason, finishMessage, index: 0 }] },
      { usageMetadata: { promptTokenCount: 10, totalTokenCount: 10 } },
    );
  },

  /**
   * 200 without an image: a candidate that stopped for `finishReason` (`IMAGE_SAFETY`, `NO_IMAGE`, …),
   * with optional text parts and `finishMessage`.
   */
  noImage(finishReason: string, options: { text?: string; finishMessage?: string } & SuccessOptions = {}): ScriptedResponse {
    const candidate: Record<string, unknown> = { finishReason, index: 0 };
    if (options.text !== undefined) candidate.content = { role: 'model', parts: [{ text: options.text }] };
    if (options.finishMessage !== undefined) candidate.finishMessage = options.finishMessage;
    return success({ candidates: [candidate] }, options);
  },

  /** 200, `STOP`, only text: the model answered in words instead of drawing. */
  textOnly(text = "I can't create that image, but I can describe it: a quiet lake at dawn."): ScriptedResponse {
    return geminiResponses.noImage('STOP', { text });
  },

  /** 200 with no candidates: the prompt itself was blocked. */
  promptBlocked(blockReason = 'SAFETY'): ScriptedResponse {
    return success({ promptFeedback: { blockReason } });
  },

  /** Any error in Google's envelope: `{"error":{"code","message","status","details"}}`. */
  error(status: number, rpcStatus: string, message: string, details?: unknown[]): ScriptedResponse {
    return {
      status,
      body: { error: { code: status, message, status: rpcStatus, ...(details === undefined ? {} : { details }) } },
    };
  },

  /** 429 RESOURCE_EXHAUSTED with QuotaFailure, Help and RetryInfo details, as the free tier answers. */
  rateLimited(
    options: {
      /** The RetryInfo `retryDelay` (a protobuf Duration). @default '53s' */
      retryDelay?: string;
      /** Leave the RetryInfo detail out (only the message then says when to retry). @default true */
      hasRetryInfo?: boolean;
      /** @default the free-tier quota text ending in "Please retry in 53.0s." */
      message?: string;
      /** The QuotaFailure violation's `quotaValue` (requests per minute). @default '10' */
      quotaValue?: string;
    } = {},
  ): ScriptedResponse {
    const retryDelay = options.retryDelay ?? '53s';
    const quotaValue = options.quotaValue ?? '10';
    const message =
      options.message ??
      quotaMessageStart +
        `generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: ${quotaValue}, model: ${defaultGeminiModelId}\n` +
        `Please retry in ${Number.parseFloat(retryDelay).toFixed(1)}s.`;
    const details: unknown[] = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global', model: defaultGeminiModelId },
            quotaValue,
          },
        ],
      },
      quotaHelp,
    ];
    if (options.hasRetryInfo ?? true) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });
    return geminiResponses.error(429, 'RESOURCE_EXHAUSTED', message, details);
  },

  /**
   * 429 for a free-tier project whose model has no free quota: the per-day violation (limit 0) with
   * a per-minute one and a RetryInfo of seconds that waiting does not honour. Recorded from the
   * real API (2025, hence the model id in it).
   */
  freeTierDailyQuotaExhausted(): ScriptedResponse {
    const model = 'gemini-2.5-flash-preview-image';
    const quotaMetric = 'generativelanguage.googleapis.com/generate_content_free_tier_requests';
    return geminiResponses.error(
      429,
      'RESOURCE_EXHAUSTED',
      `${quotaMessageStart}${quotaMetric}, limit: 0, model: ${model}\nPlease retry in 16.34553186s.`,
      [
        quotaHelp,
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            { quotaMetric, quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model } },
            { quotaMetric, quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model } },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '16s' },
      ],
    );
  },

  /**
   * 429 for a paid project past its requests per day (a non-zero limit): the free-tier shape
   * above with the paid tier's metric and quota id (modelled, not recorded).
   */
  dailyQuotaExhausted(options: { limit?: number; model?: string } = {}): ScriptedResponse {
    const limit = options.limit ?? 250;
    const model = options.model ?? defaultGeminiModelId;
    const quotaMetric = 'generativelanguage.googleapis.com/generate_requests_per_model_per_day';
    return geminiResponses.error(
      429,
      'RESOURCE_EXHAUSTED',
      `${quotaMessageStart}${quotaMetric}, limit: ${limit}, model: ${model}\nPlease retry in 38.2s.`,
      [
        quotaHelp,
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            { quotaMetric, quotaId: 'GenerateRequestsPerDayPerProjectPerModel', quotaDimensions: { location: 'global', model }, quotaValue: String(limit) },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '38s' },
      ],
    );
  },

  /** 503 UNAVAILABLE: the model is overloaded. */
  overloaded(): ScriptedResponse {
    return geminiResponses.error(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
  },

  /** 500 INTERNAL. */
  internal(): ScriptedResponse {
    return geminiResponses.error(
      500,
      'INTERNAL',
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    );
  },

  /** 400 INVALID_ARGUMENT. */
  invalidArgument(message = 'Request contains an invalid argument.'): ScriptedResponse {
    return geminiResponses.error(400, 'INVALID_ARGUMENT', message);
  },

  /** 400 INVALID_ARGUMENT with ErrorInfo `API_KEY_INVALID`: what a wrong key really gets. */
  invalidApiKey(): ScriptedResponse {
    return geminiResponses.error(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
    ]);
  },

  /** 403 PERMISSION_DENIED (a key without access). */
  permissionDenied(message = 'Permission denied: Consumer has been suspended.'): ScriptedResponse {
    return geminiResponses.error(403, 'PERMISSION_DENIED', message);
  },

  /** 404 NOT_FOUND: a retired or misspelled model id (what the server answers by itself for one). */
  modelNotFound(model = 'gemini-retired-image'): ScriptedResponse {
    return geminiResponses.error(
      404,
      'NOT_FOUND',
      `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    );
  },

  /** 200 whose JSON body is cut off. */
  malformedJson(): ScriptedResponse {
    return { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: '{"candidates":[{"content":{"parts":[' };
  },

  /** An error page that is not JSON (a proxy or load balancer answering). @default 502 HTML */
  nonJsonError(status = 502, text = '<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>'): ScriptedResponse {
    return { status, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: text };
  },
};
