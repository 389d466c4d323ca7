import { AppError, isAppError } from '@/lib/core';
import { isInputError } from '../error-kinds';
import { toErrorResponse } from '../to-response';

/**
 * OpenAI's error envelope, `{ error: { message, type, param, code } }`: the official SDKs read
 * `param` and `code` from it into their `APIError` subclasses, so clients branch on them.
 */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error raised by the OpenAI-compatible layer itself, already in OpenAI's words. */
export class OpenAICompatError extends AppError {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    { type = typeForStatus(status), param = null, code = null, headers = {} }: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
  ) {
    super('OpenAICompatError', message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.headers = headers;
  }
}

export function isOpenAICompatError(error: unknown): error is OpenAICompatError {
  return isAppError(error, 'OpenAICompatError');
}

/** Our request fields (as `InputError.field` names them) → the OpenAI parameter a client sent. */
const paramByField: Record<string, string> = {
  prompt: 'prompt',
  numberOfImages: 'n',
  image: 'image',
  provider: 'model',
  model: 'model',
  size: 'size',
  aspectRatio: 'size',
  quality: 'quality',
  outputFormat: 'output_format',
  background: 'background',
};

/** The `type` OpenAI gives each status, as its API reference lists them. */
function typeForStatus(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The `code` for our own refusals: OpenAI's for a bad key; `quota_exceeded` for this server's quotas (not the provider's). */
function codeForStatus(status: number): string | null {
  if (status === 401) return 'invalid_api_key';
  if (status === 429) return 'quota_exceeded';
  return null;
}

/**
 * Any error as OpenAI's envelope with the same status and headers our API would answer
 * (`Retry-After`, `WWW-Authenticate`): the classification and logging stay in `toErrorResponse`,
 * this only changes the words' shape.
 */
export async function toOpenAIErrorResponse(error: unknown): Promise<Response> {
  if (isOpenAICompatError(error)) return openAIErrorResponse(error.status, error.message, error);
  const plain = toErrorResponse(error);
  const { error: message } = (await plain.json()) as { error: string };
  const field = isInputError(error) ? error.field : undefined;
  const headers: Record<string, string> = {};
  for (const name of ['retry-after', 'www-authenticate']) {
    const value = plain.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const param = field === undefined ? null : (paramByField[field] ?? field);
  // An unknown model is OpenAI's 404 model_not_found, which clients show as "pick another model".
  if (isInputError(error) && param === 'model') {
    return openAIErrorResponse(404, message, { param: 'model', code: 'model_not_found' });
  }
  return openAIErrorResponse(plain.status, message, { param, code: codeForStatus(plain.status), headers });
}

export function openAIErrorResponse(
  status: number,
  message: string,
  { type = typeForStatus(status), param = null, code = null, headers = {} }: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> },
): Response {
  const body: OpenAIErrorBody = { error: { message, type, param, code } };
  return Response.json(body, { status, headers });
}
