import type { RateLimitInfo } from '@/lib/core';
import { retryHintOfSeconds, type RetryHint } from '../shared/error-helpers';

/**
 * OpenRouter's rate-limit headers: `x-ratelimit-limit`, `x-ratelimit-remaining` and
 * `x-ratelimit-reset` (epoch milliseconds), as its 429s carry them (also passed on in
 * `error.metadata.headers` when an upstream refused). The `-requests` variants are read too, for
 * upstreams that pass OpenAI's names through. Undefined when none is there.
 */
export function openRouterRateLimitOf(headers: HeadersLike | undefined, now: () => number = Date.now): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const limit = wholeNumber(headers, 'x-ratelimit-limit') ?? wholeNumber(headers, 'x-ratelimit-limit-requests');
  const remaining = wholeNumber(headers, 'x-ratelimit-remaining') ?? wholeNumber(headers, 'x-ratelimit-remaining-requests');
  const resetAt = wholeNumber(headers, 'x-ratelimit-reset');
  const info: RateLimitInfo = {
    ...(limit !== undefined && limit > 0 ? { limitRequestsPerMinute: limit } : {}),
    ...(remaining !== undefined ? { remainingRequests: remaining } : {}),
    ...(resetAt !== undefined ? { resetRequestsMs: Math.max(0, epochMsOf(resetAt) - now()) } : {}),
  };
  return Object.keys(info).length > 0 ? info : undefined;
}

/**
 * How long to wait before the next call: `retry-after` (seconds or an HTTP date), else, when no
 * request is left, until `x-ratelimit-reset`; with how far it may be off: a second either way when
 * it came in whole seconds.
 */
export function openRouterRetryHintOf(headers: HeadersLike | undefined, now: () => number = Date.now): RetryHint | undefined {
  if (!headers) return undefined;
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return retryHintOfSeconds(Number(retryAfter));
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return { ms: Math.max(0, date - now()), slackMs: 1_000 };
  }
  const info = openRouterRateLimitOf(headers, now);
  // x-ratelimit-reset is an epoch in milliseconds.
  return info?.remainingRequests === 0 && info.resetRequestsMs !== undefined ? { ms: info.resetRequestsMs, slackMs: 0 } : undefined;
}

/** `Headers`, or the plain record OpenRouter puts in `error.metadata.headers`. */
export interface HeadersLike {
  get(name: string): string | null | undefined;
}

/** A plain header record (any case) as something with `get`. */
export function headersOfRecord(record: Record<string, unknown>): HeadersLike {
  const lowered = new Map(Object.entries(record).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { get: (name) => lowered.get(name.toLowerCase()) };
}

function wholeNumber(headers: HeadersLike, name: string): number | undefined {
  const text = headers.get(name)?.trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** A reset given in seconds since the epoch (some upstreams) or in milliseconds (OpenRouter). */
function epochMsOf(value: number): number {
  return value < 1e11 ? value * 1000 : value;
}
