import { customSizeProblem, detectImageMimeType, parseExactSize, type ModelCapabilities } from '@/lib/core';
// The pure model table, not the `../openai` front door: the fake must not load the SDK it stands in for.
import { fixedGptImageSizes, openaiModels, unknownOpenAICapabilities } from '../openai/openai-models';
import { startFakeHttpServer, type FakeHttpServer, type RecordedRequest, type ResponseScript, type ScriptedResponse } from './fake-http-server';
import { TINY_JPEG_BASE64, TINY_PNG_BASE64 } from './test-images';

/**
 * A local stand-in for the OpenAI Images API speaking its real wire format (see
 * /work/shared/PROVIDER-WIRE.md). `baseUrl` ends in `/v1`, like `https://api.openai.com/v1`.
 *
 * At least as strict as the real service, before the script is consulted: other paths get OpenAI's
 * 404, a request without a bearer token its 401, a model that is not current (`openaiModels`; so
 * `gpt-image-1`, `dall-e-2`, `dall-e-3` and unknown ids) 404 `model_not_found`, and a request the
 * model cannot take (size, quality, background, output format, unknown parameters, input images:
 * how many and of which Content-Type) a 400 in OpenAI's words. Only valid requests to
 * `POST /v1/images/generations` and `POST /v1/images/edits` reach the script. Files put up with
 * `hostImage` are served on `GET /files/…` (for `data[].url` answers).
 */
export interface FakeOpenAIServer extends FakeHttpServer {
  /**
   * Serves `bytes` on `GET /files/image-<n>` and returns the absolute URL (for `openaiResponses.url`).
   * `contentType` @default 'image/png'; `delayMs` delays the download. @default 0
   */
  hostImage(bytes: Uint8Array, options?: { contentType?: string; delayMs?: number }): string;
}

export interface FakeOpenAIServerOptions {
  /**
   * Model ids accepted besides the current ones, each taking what an unknown GPT Image model takes
   * (the fixed sizes). For tests and simulators that must use another id. @default []
   */
  extraModels?: readonly string[];
}

const scriptedPaths = new Set(['/v1/images/generations', '/v1/images/edits']);

/** Starts a fake OpenAI API on 127.0.0.1 (free port). Script it with `respondWith(openaiResponses.…())`. */
export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const capabilitiesByModel = new Map<string, ModelCapabilities>(openaiModels.map(({ id, capabilities }) => [id, capabilities]));
  for (const id of options.extraModels ?? []) if (!capabilitiesByModel.has(id)) capabilitiesByModel.set(id, unknownOpenAICapabilities());
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
      return rejectionOf(request, capabilitiesByModel);
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

/** The parameters of an images request, whichever way it was sent (multipart fields are strings). */
interface ImageRequest {
  isEdit: boolean;
  params: Record<string, unknown>;
  /** Multipart file parts (edits only). */
  files: { fieldName: string; contentType: string; bytes: Uint8Array }[];
}

const generationParameters = new Set([
  'model', 'prompt', 'n', 'size', 'quality', 'output_format', 'output_compression', 'background', 'moderation',
  'stream', 'partial_images', 'user', 'safety_identifier', 'complexity', 'svg', 'frame_count', 'frame_duration_ms',
]);
const editParameters = new Set([
  'model', 'prompt', 'n', 'size', 'quality', 'output_format', 'output_compression', 'background', 'input_fidelity',
  'stream', 'partial_images', 'user', 'safety_identifier', 'complexity', 'frame_count', 'frame_duration_ms',
]);
const editFileFields = new Set(['image', 'image[]', 'mask', 'markup']);
const inputImageTypes = ['image/jpeg', 'image/png', 'image/webp'];

/** OpenAI's own list style: `'a', 'b', and 'c'`. */
function quotedList(values: readonly string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  return quoted.length <= 2 ? quoted.join(' and ') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
}

function badRequest(message: string, param: string | null, code: string): ScriptedResponse {
  return openaiResponses.error(400, { message, type: 'invalid_request_error', param, code });
}

function invalidValue(param: string, value: unknown, allowed: readonly string[]): ScriptedResponse {
  return badRequest(`Invalid value: '${String(value)}'. Supported values are: ${quotedList(allowed)}.`, param, 'invalid_value');
}

function parseImageRequest(request: RecordedRequest): ImageRequest | ScriptedResponse {
  if (request.path === '/v1/images/edits') {
    if (!request.form) {
      return badRequest(
        `Invalid Content-Type header (${request.headers['content-type'] ?? 'none'}), expected multipart/form-data. (HINT: If you're using curl, you can pass -F 'key=value' options to add form fields and files to the request.)`,
        null,
        'invalid_content_type',
      );
    }
    return { isEdit: true, params: request.form.fields, files: request.form.files };
  }
  const json = request.json;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return badRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
      null,
      'invalid_json',
    );
  }
  return { isEdit: false, params: json as Record<string, unknown>, files: [] };
}

/** The answer the real service gives before any image is made, or undefined when the request is valid. */
function rejectionOf(request: RecordedRequest, capabilitiesByModel: ReadonlyMap<string, ModelCapabilities>): ScriptedResponse | undefined {
  const parsed = parseImageRequest(request);
  if ('status' in parsed) return parsed;
  const { isEdit, params, files } = parsed;

  const allowed = isEdit ? editParameters : generationParameters;
  const unknown = Object.keys(params).find((name) => !allowed.has(name));
  if (unknown) return badRequest(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
  for (const required of ['prompt', 'model']) {
    if (typeof params[required] !== 'string' || params[required] === '') {
      return badRequest(`Missing required parameter: '${required}'.`, required, 'missing_required_parameter');
    }
  }
  const model = params.model as string;
  const capabilities = capabilitiesByModel.get(model);
  if (!capabilities) return openaiResponses.modelNotFound(model);

  const n = params.n === undefined ? 1 : typeof params.n === 'string' && /^-?\d+$/.test(params.n) ? Number(params.n) : params.n;
  if (typeof n !== 'number' || !Number.isInteger(n)) return badRequest(`Invalid type for 'n': expected an integer, but got ${typeof n} instead.`, 'n', 'invalid_type');
  if (n < 1) return badRequest(`${n} is less than the minimum of 1 - 'n'`, 'n', 'integer_below_min_value');
  if (n > 10) return badRequest(`${n} is greater than the maximum of 10 - 'n'`, 'n', 'integer_above_max_value');

  const sizeProblem = params.size === undefined ? undefined : rejectionOfSize(params.size, capabilities);
  if (sizeProblem) return sizeProblem;
  const choices: [param: string, values: readonly string[]][] = [
    ['quality', capabilities.qualities],
    ['background', capabilities.backgrounds],
    ['output_format', capabilities.outputFormats],
  ];
  for (const [param, values] of choices) {
    if (params[param] !== undefined && !values.includes(params[param] as string)) return invalidValue(param, params[param], values);
  }
  if (params.background === 'transparent' && params.output_format === 'jpeg') {
    return badRequest("Transparent background is not supported for output_format 'jpeg'; use 'png' or 'webp'.", 'background', 'invalid_value');
  }
  return isEdit ? rejectionOfInputImages(files, model, capabilities) : undefined;
}

function rejectionOfSize(size: unknown, capabilities: ModelCapabilities): ScriptedResponse | undefined {
  const fixed = ['1024x1024', '1024x1536', '1536x1024', 'auto'];
  if (typeof size === 'string' && fixed.includes(size)) return undefined;
  const rule = capabilities.customSize;
  if (!rule) return invalidValue('size', size, fixed);
  const exact = typeof size === 'string' ? parseExactSize(size) : undefined;
  const problem = exact ? customSizeProblem(exact, rule) : `size must be 'auto' or WIDTHxHEIGHT`;
  return problem ? badRequest(`Invalid value: '${String(size)}'. Invalid size: ${problem}.`, 'size', 'invalid_value') : undefined;
}

function rejectionOfInputImages(files: ImageRequest['files'], model: string, capabilities: ModelCapabilities): ScriptedResponse | undefined {
  const unknownFile = files.find(({ fieldName }) => !editFileFields.has(fieldName));
  if (unknownFile) return badRequest(`Unknown parameter: '${unknownFile.fieldName}'.`, unknownFile.fieldName, 'unknown_parameter');
  const images = files.filter(({ fieldName }) => fieldName === 'image' || fieldName === 'image[]');
  if (images.length === 0) return badRequest("Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
  if (!capabilities.imageToImage) return badRequest(`The model '${model}' does not support image edits.`, 'model', 'invalid_value');
  if (images.length > capabilities.maxInputImages) {
    return badRequest(`Too many images: ${images.length} were sent and at most ${capabilities.maxInputImages} are supported.`, 'image', 'invalid_value');
  }
  for (const [index, image] of images.entries()) {
    if (!inputImageTypes.includes(image.contentType)) {
      return badRequest(
        `Invalid file 'image': unsupported mimetype ('${image.contentType || 'application/octet-stream'}'). Supported file formats are ${quotedList(inputImageTypes)}.`,
        'image',
        'unsupported_file_mimetype',
      );
    }
    if (!detectImageMimeType(image.bytes)) {
      return badRequest(`Invalid image file or mode for image ${index + 1}, please check your image file.`, 'image', 'invalid_image_file');
    }
  }
  return undefined;
}

/** OpenAI's error envelope. */
export interface OpenAIErrorBody {
  message: string;
  type: string;
  param?: string | null;
  code?: string | null;
  /** `moderation_blocked` refusals say at which stage and why. */
  moderation_details?: { moderation_stage: string; categories: string[] };
}

const base64ByOutputFormat = {
  png: TINY_PNG_BASE64,
  jpeg: TINY_JPEG_BASE64,
  /** A 2x2 lossless WebP. */
  webp: 'UklGRhwAAABXRUJQVlA4TA8AAAAvAUAAAAdQ0Ij+ByKi/wEA',
} as const;
type FakeOutputFormat = keyof typeof base64ByOutputFormat;

/** Output tokens of one 1024×1024 image by quality (GPT Image's published counts); others scale by pixels. */
const outputTokensAt1024: Record<string, number> = { low: 272, medium: 1056, high: 4160 };

/** A plausible `usage` (not OpenAI's exact formula): text tokens from the prompt, some per input image. */
function usageFor(options: { promptLength?: number; inputImages?: number; quality?: string; size?: string }) {
  const textTokens = Math.max(1, Math.ceil((options.promptLength ?? 40) / 4));
  const imageTokens = (options.inputImages ?? 0) * 194;
  const exact = parseExactSize(options.size ?? '1024x1024') ?? { width: 1024, height: 1024 };
  const outputTokens = Math.round((outputTokensAt1024[options.quality ?? 'medium'] ?? 1056) * ((exact.width * exact.height) / (1024 * 1024)));
  return {
    input_tokens: textTokens + imageTokens,
    input_tokens_details: { image_tokens: imageTokens, text_tokens: textTokens },
    output_tokens: outputTokens,
    total_tokens: textTokens + imageTokens + outputTokens,
  };
}

/** Ready-made answers in OpenAI's real shapes. Spread and add `delayMs` for latency: `{ ...b64Json(), delayMs: 500 }`. */
export const openaiResponses = {
  /** 200 `data[0].b64_json`, as GPT Image models answer, with `usage` and the settings used. */
  b64Json(
    options: {
      /** @default a real 2x2 image in `outputFormat` */
      base64?: string;
      /** @default 'png' */
      outputFormat?: FakeOutputFormat;
      /** @default '1024x1024' */
      size?: string;
      /** @default 'medium' */
      quality?: 'low' | 'medium' | 'high';
      /** @default 'opaque' */
      background?: 'opaque' | 'transparent';
      /** @default a 1024x1024 medium image from a short prompt */
      usage?: ReturnType<typeof usageFor>;
    } = {},
  ): ScriptedResponse {
    const outputFormat = options.outputFormat ?? 'png';
    const size = options.size ?? '1024x1024';
    const quality = options.quality ?? 'medium';
    return {
      status: 200,
      body: {
        created: 1_767_225_600,
        background: options.background ?? 'opaque',
        data: [{ b64_json: options.base64 ?? base64ByOutputFormat[outputFormat] }],
        output_format: outputFormat,
        quality,
        size,
        usage: options.usage ?? usageFor({ quality, size }),
      },
    };
  },

  /**
   * The success the real service gives to the request it answers: its size (`auto` → 1024x1024),
   * quality (`auto` → medium), background (`auto` → opaque), output format and bytes of that format,
   * and `usage` counting its prompt and input images.
   */
  imageFor(): ResponseScript {
    return (request) => {
      const params: Record<string, unknown> = request.form?.fields ?? (request.json as Record<string, unknown> | undefined) ?? {};
      const chosen = (name: string, auto: string) => (typeof params[name] === 'string' && params[name] !== 'auto' ? (params[name] as string) : auto);
      const outputFormat = chosen('output_format', 'png') as FakeOutputFormat;
      const size = chosen('size', fixedGptImageSizes[0]);
      const quality = chosen('quality', 'medium') as 'low' | 'medium' | 'high';
      const inputImages = request.form?.files.filter(({ fieldName }) => fieldName.startsWith('image')).length ?? 0;
      const promptLength = typeof params.prompt === 'string' ? params.prompt.length : undefined;
      return openaiResponses.b64Json({
        outputFormat,
        size,
        quality,
        background: chosen('background', 'opaque') as 'opaque' | 'transparent',
        usage: usageFor({ promptLength, inputImages, quality, size }),
      });
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
      /** Named in the message. @default 'gpt-image-2.5-flare' */
      model?: string;
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
          `Rate limit reached for ${options.model ?? 'gpt-image-2.5-flare'} in organization org-fake on requests per min (RPM): Limit ${limit}, Used ${limit}, Requested 1. ` +
          'Please try again in 12s. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
      headers,
    );
  },

  /** 429 `insufficient_quota`, OpenAI's real body: out of credit, waiting does not help. */
  insufficientQuota(): ScriptedResponse {
    return openaiResponses.error(429, {
      message:
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      type: 'insufficient_quota',
      code: 'insufficient_quota',
    });
  },

  /** 400 `moderation_blocked`, GPT Image's safety refusal, OpenAI's real body. */
  moderationBlocked(): ScriptedResponse {
    return openaiResponses.error(400, {
      message:
        'Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID b68e1d8f-31a3-4a04-aa41-bf442d857ccd. safety_violations=[sexual].',
      type: 'image_generation_user_error',
      param: null,
      code: 'moderation_blocked',
      moderation_details: { moderation_stage: 'output', categories: ['sexual'] },
    });
  },

  /** 400 safety refusal: the older `content_policy_violation`, or `moderation_blocked` (as `moderationBlocked()`). */
  safetyRefusal(code: 'content_policy_violation' | 'moderation_blocked' = 'content_policy_violation'): ScriptedResponse {
    if (code === 'moderation_blocked') return openaiResponses.moderationBlocked();
    return openaiResponses.error(400, {
      message:
        'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
      type: 'invalid_request_error',
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
  organizationNotVerified(model = 'gpt-image-2.5-flare'): ScriptedResponse {
    return openaiResponses.error(403, {
      message: `Your organization must be verified to use the model \`${model}\`. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization.`,
      type: 'invalid_request_error',
    });
  },

  /** 404 `model_not_found`, OpenAI's real body. */
  modelNotFound(model = 'gpt-image-1'): ScriptedResponse {
    return openaiResponses.error(404, {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      param: null,
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
