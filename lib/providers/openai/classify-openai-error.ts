import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import { ProviderError, type ProviderErrorKind, type RateLimitInfo } from '@/lib/core';
import { abortErrorOf, hasName, isRecord, messageOf, networkErrorCode, retryHintOfSeconds, retryHintOptions, sanitizeDetails, wholeSecondsSlackMs, type RetryHint } from '../shared/error-helpers';

/**
 * Translates what the OpenAI SDK (or the image download after it) throws into one `ProviderError`.
 * Pure apart from the injectable clock. Nothing above the adapter ever reads OpenAI's body.
 */

export interface ClassifyOpenAIOptions {
  /** The caller's signal. Once it has aborted, its abort is returned as is, never a `ProviderError`. */
  signal?: AbortSignal;
  /** Strings scrubbed from every message and detail (the API key). @default [] */
  secrets?: readonly string[];
  /** Epoch milliseconds now, for a `retry-after` given as an HTTP date. @default Date.now */
  now?: () => number;
  /**
   * Whether the request reached `fetch`. False means the SDK (or the adapter) refused to build it:
   * the same call would fail the same way, so it is `invalid_request`. @default unknown
   */
  isRequestSent?: boolean;
}

/**
 * Classifies a thrown value. Returns the `ProviderError` to throw, or, for a user abort
 * (`APIUserAbortError`, or `options.signal` aborted), the abort itself (`signal.reason`, an
 * `AbortError` for a plain `abort()`): the engine must see a cancellation, not a provider failure.
 */
export function classifyOpenAIError(error: unknown, options: ClassifyOpenAIOptions = {}): Error {
  const { signal, secrets = [], now = Date.now, isRequestSent } = options;
  if (signal?.aborted || error instanceof APIUserAbortError) return abortErrorOf(signal);
  const clean = (text: string) => sanitizeDetails(text, secrets);

  // Thrown before anything went out (a bad base URL or header, a value the SDK cannot encode, the
  // SDK's own checks): no network was involved, so retrying cannot help.
  if (isRequestSent === false || (error instanceof OpenAIError && !(error instanceof APIError))) {
    return new ProviderError('invalid_request', 'The OpenAI client refused the request before sending it', { details: clean(messageOf(error)), cause: error });
  }

  // Subclass before its parent: a timeout is also an APIConnectionError.
  if (error instanceof APIConnectionTimeoutError || hasName(error, 'TimeoutError') || hasName(error, 'AbortError')) {
    return new ProviderError('timeout', 'OpenAI did not answer in time', { details: clean(messageOf(error)), cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new ProviderError('transient', 'Network error calling OpenAI', {
      details: clean([networkErrorCode(error), messageOf(error)].filter(Boolean).join(': ')),
      cause: error,
    });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const code = typeof error.code === 'string' ? error.code : undefined;
    const kind = openAIKindForStatus(status, code, error.type);
    const rateLimit = kind === 'rate_limited' ? rateLimitInfoOf(error.headers) : undefined;
    const apiError = `OpenAI API error ${status}${code ? ` ${code}` : ''}`;
    const message = kind === 'quota_exhausted' ? `No OpenAI credit or quota left: check the plan and billing of this API key (${apiError})` : apiError;
    return new ProviderError(kind, message, {
      status,
      details: clean(providerMessageOf(error)),
      ...(kind === 'rate_limited' ? retryHintOptions(retryHintOf(error.headers, now)) : {}),
      ...(rateLimit ? { rateLimit } : {}),
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError('transient', 'OpenAI answered with a malformed body', { details: clean(error.message), cause: error });
  }
  const networkCode = networkErrorCode(error);
  if (networkCode !== undefined || (error instanceof TypeError && error.message === 'fetch failed')) {
    return new ProviderError('transient', 'Network error calling OpenAI', {
      details: clean([networkCode, messageOf(error)].filter(Boolean).join(': ')),
      cause: error,
    });
  }
  // Unknown: most likely an SDK quirk on an odd answer. Retrying a few times is cheap; the engine bounds it.
  return new ProviderError('transient', 'Unexpected error calling OpenAI', { details: clean(messageOf(error)), cause: error });
}

/** 429 codes (and types) that mean the money, not the rate, ran out. */
const quotaExhaustedCodes = new Set(['insufficient_quota', 'credit_balance_exhausted']);

/**
 * The kind for an HTTP status (and OpenAI error `code` and `type`). `insufficient_quota` is a 429
 * that waiting does not cure (no credit left): `quota_exhausted`, never retried.
 */
export function openAIKindForStatus(status: number, code?: string, type?: string): ProviderErrorKind {
  if (status === 429) {
    const isQuotaExhausted = (code !== undefined && quotaExhaustedCodes.has(code)) || type === 'insufficient_quota';
    return isQuotaExhausted ? 'quota_exhausted' : 'rate_limited';
  }
  if (status === 400 && (code === 'content_policy_violation' || code === 'moderation_blocked')) return 'safety_blocked';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 503) return 'overloaded';
  if (status === 408 || status === 409 || status >= 500) return 'transient';
  return 'invalid_request';
}

/** The provider's own words: the body's `error.message`, else the SDK's text without its status prefix. */
function providerMessageOf(error: APIError): string {
  const body: unknown = error.error;
  if (isRecord(body) && typeof body.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s+/, '');
}

/**
 * `retry-after-ms`, else `retry-after` (seconds or an HTTP date), else, when the request quota is
 * spent (`x-ratelimit-remaining-requests: 0`), `x-ratelimit-reset-requests` (`"12s"`, `"6m0s"`);
 * with how far it may be off: a second either way when it came in whole seconds.
 */
export function retryHintOf(headers: Headers | undefined, now: () => number = Date.now): RetryHint | undefined {
  if (!headers) return undefined;
  const retryAfterMs = headers.get('retry-after-ms');
  if (retryAfterMs !== null && /^\s*\d+(\.\d+)?\s*$/.test(retryAfterMs)) return { ms: Math.ceil(Number(retryAfterMs)), slackMs: 0 };
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(retryAfter)) return retryHintOfSeconds(Number(retryAfter));
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return { ms: Math.max(0, date - now()), slackMs: 1_000 };
  }
  if (headers.get('x-ratelimit-remaining-requests')?.trim() === '0') {
    const resetMs = parseGoDurationMs(headers.get('x-ratelimit-reset-requests') ?? '');
    return resetMs === undefined ? undefined : { ms: resetMs, slackMs: wholeSecondsSlackMs(resetMs) };
  }
  return undefined;
}

/**
 * The request quota from `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests` and
 * `x-ratelimit-reset-requests`, sent with successes as well as 429s; undefined when none is present.
 */
export function rateLimitInfoOf(headers: Headers | undefined): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const wholeNumber = (name: string) => {
    const text = headers.get(name)?.trim();
    return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
  };
  const limit = wholeNumber('x-ratelimit-limit-requests');
  const remaining = wholeNumber('x-ratelimit-remaining-requests');
  const resetMs = parseGoDurationMs(headers.get('x-ratelimit-reset-requests') ?? '');
  const info: RateLimitInfo = {
    ...(limit !== undefined && limit > 0 ? { limitRequestsPerMinute: limit } : {}),
    ...(remaining !== undefined ? { remainingRequests: remaining } : {}),
    ...(resetMs !== undefined ? { resetRequestsMs: resetMs } : {}),
  };
  return Object.keys(info).length > 0 ? info : undefined;
}

/** OpenAI's reset durations in Go's notation: `"20ms"`, `"1.5s"`, `"6m0s"`, `"1h2m3s"`. */
function parseGoDurationMs(duration: string): number | undefined {
  const trimmed = duration.trim();
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(trimmed)) return undefined;
  const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  let totalMs = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) totalMs += Number(match[1]) * unitMs[match[2]];
  return Math.ceil(Math.round(totalMs * 1e3) / 1e3);
}

