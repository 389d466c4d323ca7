import { startFakeHttpServer, type FakeHttpServer, type ScriptedResponse } from './fake-http-server';
import { TINY_PNG_BASE64 } from './test-images';

/**
 * A local stand-in for the OpenAI Images API speaking its real wire format (see
 * /work/shared/PROVIDER-WIRE.md). `baseUrl` ends in `/v1`, like `https://api.openai.com/v1`.
 *
 * `POST /v1/images/generations` and `POST /v1/images/edits` reach the script; files put up with
 * `hostImage` are served on `GET /files/…` (for `data[].url` answers); other paths get OpenAI's 404,
 * and a request without a bearer token gets OpenAI's 401.
 */
export interface FakeOpenAIServer extends FakeHttpServer {
  /**
   * Serves `bytes` on `GET /files/image-<n>` and returns the absolute URL (for `openaiResponses.url`).
   * `contentType` @default 'image/png'; `delayMs` delays the download. @default 0
   */
  hostImage(bytes: Uint8Array, options?: { contentType?: string; delayMs?: number }): string;
}

const scriptedPaths = new Set(['/v1/images/generations', '/v1/images/edits']);

/** Starts a fake OpenAI API on 127.0.0.1 (free port). Script it with `respondWith(openaiResponses.…())`. */
export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  const hosted = new Map<string, ScriptedResponse>();
  const server = await startFakeHttpServer({
    name: 'fake-openai-server',
    basePath: '/v1',
    route: (request) => {
      const file = request.method === 'GET' ? hosted.get(request.path) : undefined;
      if (file) return file;
      if (request.method !== 'POST' || !scriptedPaths.has(request.path)) {
        return openaiResponses.error(404, {
          message: `Invalid URL (${request.method} ${request.path})`,
          type: 'invalid_request_error',
        });
      }
      if (!request.headers.authorization?.startsWith('Bearer ')) {
        return openaiResponses.error(401, {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          type: 'invalid_request_error',
        });
      }
      return undefined;
    },
  });
  return {
    ...server,
    hostImage(bytes, { contentType = 'image/png', delayMs = 0 } = {}) {
      const path = `/files/image-${hosted.size + 1}`;
      hosted.set(path, { status: 200, headers: { 'content-type': contentType }, body: bytes, delayMs });
      return server.origin + path;
    },
  };
}

/** OpenAI's error envelope. */
export interface OpenAIErrorBody {
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
}

/** Ready-made answers in OpenAI's real shapes. Spread and add `delayMs` for latency: `{ ...b64Json(), delayMs: 500 }`. */
export const openaiResponses = {
  /** 200 `data[0].b64_json`, as GPT Image models answer. */
  b64Json(
    options: {
      /** @default a real 2x2 PNG */
      base64?: string;
      /** @default 'png' */
      outputFormat?: 'png' | 'jpeg' | 'webp';
      /** @default '1024x1024' */
      size?: string;
    } = {},
  ): ScriptedResponse {
    return {
      status: 200,
      body: {
        created: 1_767_225_600,
        background: 'opaque',
        data: [{ b64_json: options.base64 ?? TINY_PNG_BASE64 }],
        output_format: options.outputFormat ?? 'png',
        quality: 'medium',
        size: options.size ?? '1024x1024',
        usage: {
          input_tokens: 50,
          input_tokens_details: { image_tokens: 40, text_tokens: 10 },
          output_tokens: 1056,
          total_tokens: 1106,
        },
      },
    };
  },

  /** 200 `data[0].url`, as OpenAI-compatible servers (LocalAI and others) answer. */
  url(url: string): ScriptedResponse {
    return { status: 200, body: { created: 1_767_225_600, data: [{ url }] } };
  },

  /** Any error in OpenAI's envelope `{"error":{"message","type","param","code"}}`. */
  error(status: number, error: OpenAIErrorBody, headers: Record<string, string> = {}): ScriptedResponse {
    return { status, headers, body: { error: { param: null, code: null, ...error } } };
  },

  /**
   * 429 `rate_limit_exceeded` with the `x-ratelimit-*` headers. Set `retryAfter` (seconds or an HTTP date)
   * and/or `retryAfterMs` to send those headers.
   */
  rateLimited(
    options: {
      retryAfter?: string;
      retryAfterMs?: string;
      /** @default '12s' */
      resetRequests?: string;
      /** `x-ratelimit-limit-requests`. @default '5' */
      limitRequests?: string;
      /** `x-ratelimit-remaining-requests`. @default '0' */
      remainingRequests?: string;
    } = {},
  ): ScriptedResponse {
    const limit = options.limitRequests ?? '5';
    const headers: Record<string, string> = {
      'x-ratelimit-limit-requests': limit,
      'x-ratelimit-remaining-requests': options.remainingRequests ?? '0',
      'x-ratelimit-reset-requests': options.resetRequests ?? '12s',
    };
    if (options.retryAfter !== undefined) headers['retry-after'] = options.retryAfter;
    if (options.retryAfterMs !== undefined) headers['retry-after-ms'] = options.retryAfterMs;
    return openaiResponses.error(
      429,
      {
        message:
          `Rate limit reached for gpt-image-1 in organization org-fake on requests per min (RPM): Limit ${limit}, Used ${limit}, Requested 1. ` +
          'Please try again in 12s. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
      headers,
    );
  },

  /** 429 `insufficient_quota`: out of credit, waiting does not help. */
  insufficientQuota(): ScriptedResponse {
    return openaiResponses.error(429, {
      message:
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      type: 'insufficient_quota',
      code: 'insufficient_quota',
    });
  },

  /** 400 safety refusal (`content_policy_violation` or `moderation_blocked`). */
  safetyRefusal(code: 'content_policy_violation' | 'moderation_blocked' = 'content_policy_violation'): ScriptedResponse {
    return openaiResponses.error(400, {
      message:
        'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
      type: code === 'moderation_blocked' ? 'image_generation_user_error' : 'invalid_request_error',
      code,
    });
  },

  /** 400 invalid_request_error. */
  invalidRequest(message = "Invalid value: '999x999'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.", param = 'size'): ScriptedResponse {
    return openaiResponses.error(400, { message, type: 'invalid_request_error', param, code: 'invalid_value' });
  },

  /** 401 `invalid_api_key` (OpenAI echoes a masked key, never the whole one). */
  invalidApiKey(): ScriptedResponse {
    return openaiResponses.error(401, {
      message: 'Incorrect API key provided: sk-fake***1234. You can find your API key at https://platform.openai.com/account/api-keys.',
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  },

  /** 403: the organization is not verified for GPT Image models. */
  organizationNotVerified(): ScriptedResponse {
    return openaiResponses.error(403, {
      message:
        'Your organization must be verified to use the model `gpt-image-1`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.',
      type: 'invalid_request_error',
    });
  },

  /** 404 `model_not_found`. */
  modelNotFound(model = 'gpt-image-retired'): ScriptedResponse {
    return openaiResponses.error(404, {
      message: `The model '${model}' does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      code: 'model_not_found',
    });
  },

  /** 500 server_error. */
  serverError(): ScriptedResponse {
    return openaiResponses.error(500, {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
    });
  },

  /** 503: overloaded. */
  overloaded(): ScriptedResponse {
    return openaiResponses.error(503, { message: 'The server is overloaded or not ready yet.', type: 'server_error' });
  },

  /** 200 whose JSON body is cut off. */
  malformedJson(): ScriptedResponse {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"created":1767225600,"data":[{"b64_' };
  },

  /** An error page that is not JSON (a proxy answering). @default 502 HTML */
  nonJsonError(status = 502, text = '<html><body><h1>502 Bad Gateway</h1></body></html>'): ScriptedResponse {
    return { status, headers: { 'content-type': 'text/html' }, body: text };
  },
};
