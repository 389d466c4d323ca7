import { describe, expect, it } from 'vitest';
import { headersOfRecord, openRouterRateLimitOf, openRouterRetryHintOf } from './openrouter-rate-limit';

const nowMs = 1_767_225_600_000;
const now = () => nowMs;

describe('openrouter rate-limit headers', () => {
  it('reads limit, remaining and a reset in epoch milliseconds (OpenRouter) or seconds (some upstreams)', () => {
    const inMs = new Headers({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': String(nowMs + 4_000) });
    expect(openRouterRateLimitOf(inMs, now)).toEqual({ limitRequestsPerMinute: 20, remainingRequests: 3, resetRequestsMs: 4_000 });
    const inSeconds = new Headers({ 'x-ratelimit-reset': String(nowMs / 1000 + 9) });
    expect(openRouterRateLimitOf(inSeconds, now)).toEqual({ resetRequestsMs: 9_000 });
  });

  it('reads OpenAI-style -requests names an upstream passed through, and nothing from no headers', () => {
    expect(openRouterRateLimitOf(new Headers({ 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0' }), now)).toEqual({
      limitRequestsPerMinute: 60,
      remainingRequests: 0,
    });
    expect(openRouterRateLimitOf(new Headers(), now)).toBeUndefined();
    expect(openRouterRateLimitOf(undefined, now)).toBeUndefined();
  });

  it('retry-after in seconds or as an HTTP date wins; else the reset, only when nothing is left', () => {
    expect(openRouterRetryHintOf(new Headers({ 'retry-after': '1.5' }), now)?.ms).toBe(1_500);
    expect(openRouterRetryHintOf(new Headers({ 'retry-after': new Date(nowMs + 5_000).toUTCString() }), now)?.ms).toBe(5_000);
    const spent = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowMs + 2_500) };
    expect(openRouterRetryHintOf(new Headers(spent), now)?.ms).toBe(2_500);
    expect(openRouterRetryHintOf(new Headers({ ...spent, 'x-ratelimit-remaining': '4' }), now)?.ms).toBeUndefined();
  });

  it('says a hint in whole seconds may be a second off either way, a reset epoch in milliseconds not', () => {
    expect(openRouterRetryHintOf(new Headers({ 'retry-after': '2' }), now)).toEqual({ ms: 2_000, slackMs: 1_000 });
    expect(openRouterRetryHintOf(new Headers({ 'retry-after': '1.5' }), now)).toEqual({ ms: 1_500, slackMs: 0 });
    expect(openRouterRetryHintOf(new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowMs + 2_500) }), now)).toEqual({ ms: 2_500, slackMs: 0 });
  });

  it('reads the plain header record of error.metadata.headers, whatever its case', () => {
    const headers = headersOfRecord({ 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': nowMs + 1_000 });
    expect(openRouterRateLimitOf(headers, now)).toEqual({ limitRequestsPerMinute: 10, remainingRequests: 0, resetRequestsMs: 1_000 });
  });
});
