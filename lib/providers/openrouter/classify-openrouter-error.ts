import { z } from 'zod';
import { ProviderError, type ProviderErrorKind } from '@/lib/core';
import { abortErrorOf, hasName, isRecord, messageOf, networkErrorCode, retryHintOptions, sanitizeDetails } from '../shared/error-helpers';
import { headersOfRecord, openRouterRateLimitOf, openRouterRetryHintOf, type HeadersLike } from './openrouter-rate-limit';

/**
 * Translates OpenRouter's refusals, failed fetches and answers without an image into one
 * `ProviderError`. Pure apart from the injectable clock; nothing above the adapter reads OpenRouter's body.
 */

export interface ClassifyOpenRouterOptions {
  /** Strings scrubbed from every message and detail (the API key). @default [] */
  secrets?: readonly string[];
  /** Epoch milliseconds now, for `retry-after` dates and `x-ratelimit-reset`. @default Date.now */
  now?: () => number;
}

/** OpenRouter's error envelope: `{"error":{"code":402,"message":"…","metadata":{…}}}`. */
export const openRouterErrorBodySchema = z.object({
  error: z.object({
    code: z.union([z.number(), z.string()]).optional(),
    message: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
  }),
});

export type OpenRouterErrorBody = z.infer<typeof openRouterErrorBodySchema>;

/**
 * An HTTP error answer. `body` is whatever came back (parsed JSON, or text); `headers` the answer's.
 * An upstream's own rate-limit headers, passed on in `error.metadata.headers`, count as well.
 */
export function classifyOpenRouterHttpError(
  status: number,
  body: unknown,
  headers: HeadersLike | undefined,
  options: ClassifyOpenRouterOptions = {},
): ProviderError {
  const { secrets = [], now = Date.now } = options;
  const parsed = openRouterErrorBodySchema.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  const providerMessage = error?.message ?? (typeof body === 'string' ? body : `HTTP ${status}`);
  const details = sanitizeDetails(detailsOf(providerMessage, error?.metadata), secrets);
  const kind = openRouterKindOf(status, providerMessage, error?.metadata);
  const apiError = `OpenRouter API error ${status}`;

  if (kind === 'rate_limited') {
    const upstreamHeaders = isRecord(error?.metadata?.headers) ? headersOfRecord(error.metadata.headers) : undefined;
    const rateLimit = openRouterRateLimitOf(headers, now) ?? openRouterRateLimitOf(upstreamHeaders, now);
    const retryHint = openRouterRetryHintOf(headers, now) ?? openRouterRetryHintOf(upstreamHeaders, now);
    return new ProviderError(kind, apiError, { status, details, ...retryHintOptions(retryHint), ...(rateLimit ? { rateLimit } : {}) });
  }
  if (kind === 'quota_exhausted') {
    return new ProviderError(kind, `No OpenRouter credits left: add credits or raise this key's limit (${apiError})`, { status, details });
  }
  return new ProviderError(kind, apiError, { status, details });
}

/**
 * The kind for an OpenRouter status (its documented codes):
 * - 402: the account or key is out of credits; waiting does not help → `quota_exhausted`;
 * - 403 with moderation `reasons` (or "flagged"): the input was refused by moderation → `safety_blocked`;
 * - 400 "… is not a valid model ID": OpenRouter's answer to an unknown model → `not_found`;
 * - 502 (the upstream failed or answered nonsense), 503 (no upstream available) → `overloaded`/`transient`.
 */
export function openRouterKindOf(status: number, message: string, metadata?: Record<string, unknown> | null): ProviderErrorKind {
  if (status === 402) return 'quota_exhausted';
  if (status === 429) return 'rate_limited';
  if (status === 403 && (Array.isArray(metadata?.reasons) || /flagged|moderation/i.test(message))) return 'safety_blocked';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404 || (status === 400 && /not a valid model id/i.test(message))) return 'not_found';
  if (status === 503) return 'overloaded';
  if (status === 408 || status >= 500) return 'transient';
  return 'invalid_request';
}

/** The message, plus what the metadata says about whom (the upstream) and why (moderation reasons, the upstream's raw words). */
function detailsOf(message: string, metadata: Record<string, unknown> | null | undefined): string {
  const parts = [message];
  if (typeof metadata?.provider_name === 'string') parts.push(`provider: ${metadata.provider_name}`);
  if (Array.isArray(metadata?.reasons)) parts.push(`reasons: ${metadata.reasons.map(String).join(', ')}`);
  if (typeof metadata?.raw === 'string') parts.push(metadata.raw);
  return parts.join('; ');
}

/**
 * A value `fetch` (or reading its body) threw. `callerSignal` aborted → the abort itself, never a
 * `ProviderError`; `timeoutSignal` aborted → `timeout`; a network failure → `transient`.
 */
export function classifyOpenRouterThrown(
  error: unknown,
  signals: { callerSignal?: AbortSignal; timeoutSignal?: AbortSignal },
  options: ClassifyOpenRouterOptions = {},
): Error {
  if (signals.callerSignal?.aborted) return abortErrorOf(signals.callerSignal);
  const clean = (text: string) => sanitizeDetails(text, options.secrets ?? []);
  if (signals.timeoutSignal?.aborted || hasName(error, 'TimeoutError') || hasName(error, 'AbortError')) {
    return new ProviderError('timeout', 'OpenRouter did not answer in time', { details: clean(messageOf(error)), cause: error });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError('transient', 'OpenRouter answered with a malformed body', { details: clean(error.message), cause: error });
  }
  const networkCode = networkErrorCode(error);
  return new ProviderError('transient', networkCode !== undefined || error instanceof TypeError ? 'Network error calling OpenRouter' : 'Unexpected error calling OpenRouter', {
    details: clean([networkCode, messageOf(error)].filter(Boolean).join(': ')),
    cause: error,
  });
}

/**
 * A successful answer that holds no image. The model's text is the reason people see.
 * - `content_filter` → `safety_blocked`;
 * - text without an image → `invalid_request`: the model chose to answer in words (a refusal or a
 *   question back), and the same prompt tends to get the same answer;
 * - nothing at all → `transient`: a glitch a new sample often gets past.
 */
export function classifyOpenRouterNoImage(
  answer: { text?: string; finishReason?: string | null },
  options: ClassifyOpenRouterOptions = {},
): ProviderError {
  const text = answer.text?.trim() ?? '';
  const finishReason = answer.finishReason ?? 'unknown';
  const details = sanitizeDetails([text, `finish_reason: ${finishReason}`].filter(Boolean).join('; '), options.secrets ?? []);
  if (finishReason === 'content_filter') return new ProviderError('safety_blocked', 'OpenRouter returned no image: the content filter withheld it', { details });
  if (text !== '') return new ProviderError('invalid_request', `OpenRouter returned no image: ${sanitizeDetails(text, options.secrets ?? [])}`, { details });
  return new ProviderError('transient', 'OpenRouter returned no image', { details });
}
