import { describe, expect, it } from 'vitest';
import { ProviderError } from '@/lib/core';
import { decideRetry, defaultRetryPolicy, resolveRetryPolicy, type RetryPolicy } from './retry';

const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 };
const transient = new ProviderError('transient', 'socket hang up');
const fixed = (value: number) => () => value;

describe('decideRetry', () => {
  it('never retries an abort, even a retryable-looking one on the first attempt', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(decideRetry({ error: abort, attempt: 1, policy })).toEqual({ shouldRetry: false, reason: 'aborted' });
  });

  it('does not retry permanent kinds or errors that are not ProviderErrors', () => {
    for (const kind of ['safety_blocked', 'invalid_request', 'auth', 'not_found'] as const) {
      expect(decideRetry({ error: new ProviderError(kind, 'no'), attempt: 1, policy })).toEqual({
        shouldRetry: false,
        reason: 'not_retryable',
      });
    }
    expect(decideRetry({ error: new TypeError('bug'), attempt: 1, policy })).toMatchObject({ reason: 'not_retryable' });
    expect(decideRetry({ error: 'a string', attempt: 1, policy })).toMatchObject({ reason: 'not_retryable' });
  });

  it('retries every retryable kind', () => {
    for (const kind of ['rate_limited', 'overloaded', 'transient', 'timeout'] as const) {
      expect(decideRetry({ error: new ProviderError(kind, 'again'), attempt: 1, policy, random: fixed(0) })).toMatchObject({
        shouldRetry: true,
      });
    }
  });

  it('stops once maxAttempts attempts were made, the first try included', () => {
    expect(decideRetry({ error: transient, attempt: 2, policy, random: fixed(0) }).shouldRetry).toBe(true);
    expect(decideRetry({ error: transient, attempt: 3, policy })).toEqual({ shouldRetry: false, reason: 'attempts_exhausted' });
    expect(decideRetry({ error: transient, attempt: 1, policy: { ...policy, maxAttempts: 1 } })).toMatchObject({
      reason: 'attempts_exhausted',
    });
  });

  it('backs off exponentially with equal jitter: half fixed, half random', () => {
    const wide = { ...policy, maxAttempts: 10 };
    const delayAt = (attempt: number, random: number) => decideRetry({ error: transient, attempt, policy: wide, random: fixed(random) });
    expect([1, 2, 3].map((attempt) => delayAt(attempt, 0))).toEqual([
      { shouldRetry: true, delayMs: 500 },
      { shouldRetry: true, delayMs: 1_000 },
      { shouldRetry: true, delayMs: 2_000 },
    ]);
    expect([1, 2, 3].map((attempt) => delayAt(attempt, 0.5))).toMatchObject([{ delayMs: 750 }, { delayMs: 1_500 }, { delayMs: 3_000 }]);
    expect(delayAt(1, 0.999_999)).toMatchObject({ delayMs: 1_000 });
  });

  it('waits at least the provider’s retryAfterMs', () => {
    const limited = new ProviderError('rate_limited', '429', { status: 429, retryAfterMs: 5_000 });
    expect(decideRetry({ error: limited, attempt: 1, policy, random: fixed(0.5) })).toEqual({ shouldRetry: true, delayMs: 5_000 });
    const short = new ProviderError('rate_limited', '429', { retryAfterMs: 10 });
    expect(decideRetry({ error: short, attempt: 1, policy, random: fixed(0.5) })).toEqual({ shouldRetry: true, delayMs: 750 });
  });

  it('caps every wait at maxDelayMs, Retry-After included, keeping jitter below the cap', () => {
    const capped = { ...policy, maxAttempts: 20, maxDelayMs: 10_000 };
    const limited = new ProviderError('rate_limited', '429', { retryAfterMs: 120_000 });
    expect(decideRetry({ error: limited, attempt: 1, policy: capped, random: fixed(0) })).toEqual({ shouldRetry: true, delayMs: 10_000 });
    expect(decideRetry({ error: transient, attempt: 15, policy: capped, random: fixed(0) })).toEqual({ shouldRetry: true, delayMs: 5_000 });
    expect(decideRetry({ error: transient, attempt: 15, policy: capped, random: fixed(0.999_999) })).toEqual({
      shouldRetry: true,
      delayMs: 10_000,
    });
  });

  it('retries at once when the base delay is 0', () => {
    expect(decideRetry({ error: transient, attempt: 1, policy: { ...policy, baseDelayMs: 0 } })).toEqual({ shouldRetry: true, delayMs: 0 });
  });

  it('rejects a nonsensical attempt number', () => {
    expect(() => decideRetry({ error: transient, attempt: 0, policy })).toThrow(RangeError);
  });
});

describe('resolveRetryPolicy', () => {
  it('fills the defaults and keeps overrides, ignoring undefined', () => {
    expect(resolveRetryPolicy()).toEqual({ maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 });
    expect(resolveRetryPolicy({ maxAttempts: 5, baseDelayMs: undefined })).toEqual({ ...defaultRetryPolicy, maxAttempts: 5 });
  });

  it('rejects invalid values', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(RangeError);
    expect(() => resolveRetryPolicy({ maxDelayMs: Number.NaN })).toThrow(RangeError);
  });
});
