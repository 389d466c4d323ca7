import { startFakeHttpServer, type FakeHttpServer, type RecordedRequest, type ScriptedResponse } from './fake-http-server';
import { TINY_PNG_BASE64 } from './test-images';

/**
 * A local stand-in for the Gemini API (`generativelanguage.googleapis.com`) speaking its real wire
 * format (see /work/shared/PROVIDER-WIRE.md). Point the adapter's `baseUrl` at `server.baseUrl`.
 *
 * Only `POST /v1beta/models/{model}:generateContent` reaches the script; other paths get Google's
 * 404 and a request without `x-goog-api-key` gets Google's 403, as the real API answers.
 */
export type FakeGeminiServer = FakeHttpServer;

const generateContentPath = /^\/v1beta\/models\/[^/:?]+:generateContent(\?.*)?$/;

/** Starts a fake Gemini API on 127.0.0.1 (free port). Script it with `respondWith(geminiResponses.…())`. */
export function startFakeGeminiServer(): Promise<FakeGeminiServer> {
  return startFakeHttpServer({
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
      return undefined;
    },
  });
}

/** The model named in a recorded request's path, e.g. `gemini-2.5-flash-image`. */
export function geminiModelOf(request: RecordedRequest): string | undefined {
  return /\/models\/([^/:?]+):/.exec(request.path)?.[1];
}

const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 1290, totalTokenCount: 1300 };

function success(body: Record<string, unknown>): ScriptedResponse {
  return {
    status: 200,
    body: { ...body, usageMetadata, modelVersion: 'gemini-2.5-flash-image', responseId: 'fake-response-id' },
  };
}

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
    } = {},
  ): ScriptedResponse {
    const mimeType = options.mimeType ?? 'image/png';
    const parts: unknown[] = [];
    if (options.textBefore !== undefined) parts.push({ text: options.textBefore });
    parts.push({ inlineData: { mimeType, data: options.base64 ?? TINY_PNG_BASE64 } });
    for (const data of options.extraImagesBase64 ?? []) parts.push({ inlineData: { mimeType, data } });
    if (options.textAfter !== undefined) parts.push({ text: options.textAfter });
    return success({ candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }] });
  },

  /**
   * 200 without an image: a candidate that stopped for `finishReason` (`IMAGE_SAFETY`, `NO_IMAGE`, …),
   * with optional text parts and `finishMessage`.
   */
  noImage(finishReason: string, options: { text?: string; finishMessage?: string } = {}): ScriptedResponse {
    const candidate: Record<string, unknown> = { finishReason, index: 0 };
    if (options.text !== undefined) candidate.content = { role: 'model', parts: [{ text: options.text }] };
    if (options.finishMessage !== undefined) candidate.finishMessage = options.finishMessage;
    return success({ candidates: [candidate] });
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
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, ' +
        'head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: ' +
        'https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: ' +
        `generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: ${quotaValue}, model: gemini-2.5-flash-image\n` +
        `Please retry in ${Number.parseFloat(retryDelay).toFixed(1)}s.`;
    const details: unknown[] = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global', model: 'gemini-2.5-flash-image' },
            quotaValue,
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }],
      },
    ];
    if (options.hasRetryInfo ?? true) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay });
    return geminiResponses.error(429, 'RESOURCE_EXHAUSTED', message, details);
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

  /** 404 NOT_FOUND: a retired or misspelled model id. */
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
