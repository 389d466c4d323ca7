import { isProviderError } from '@/lib/core';

/** When and how long to wait before trying an image again. */
export interface RetryPolicy {
  /**
   * Attempts per image, the first try included (1 means never retry).
   * @default 3
   */
  maxAttempts: number;
  /**
   * Backoff before the first retry, in milliseconds; doubles with each attempt, with equal jitter.
   * @default 1000
   */
  baseDelayMs: number;
  /**
   * Cap on any single wait, in milliseconds: backoff and a provider's Retry-After alike.
   * @default 60000
   */
  maxDelayMs: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
});

/** The defaults with `overrides` on top (undefined keeps the default), validated. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy };
  for (const key of Object.keys(policy) as (keyof RetryPolicy)[]) {
    if (overrides[key] !== undefined) policy[key] = overrides[key];
  }
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be an integer >= 1, got ${policy.maxAttempts}`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs'] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) {
      throw new RangeError(`${key} must be a finite number >= 0, got ${policy[key]}`);
    }
  }
  return policy;
}

export interface DecideRetryInput {
  /** What the last attempt threw. */
  error: unknown;
  /** Attempts made so far, 1-based (1 after the first try failed). */
  attempt: number;
  policy: RetryPolicy;
  /**
   * Source of jitter in [0, 1); injectable so tests get exact delays.
   * @default Math.random
   */
  random?: () => number;
}

export type RetryDecision =
  | { shouldRetry: true; delayMs: number }
  | { shouldRetry: false; reason: 'aborted' | 'not_retryable' | 'attempts_exhausted' };

/**
 * Whether to try again after `error`, and after how long. Pure apart from `random`.
 *
 * - An `AbortError` is never retried (`aborted`): the caller asked to stop.
 * - Anything but a retryable `ProviderError` is `not_retryable` (a bug is not fixed by trying again).
 * - After `maxAttempts` attempts: `attempts_exhausted`.
 * - Otherwise the delay is exponential backoff `baseDelayMs * 2^(attempt - 1)`, capped at `maxDelayMs`,
 *   with equal jitter (half fixed, half random, so retries of a batch spread out but never come
 *   back immediately); at least the provider's `retryAfterMs`; never more than `maxDelayMs`.
 */
export function decideRetry({ error, attempt, policy, random = Math.random }: DecideRetryInput): RetryDecision {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  if (isAbortError(error)) return { shouldRetry: false, reason: 'aborted' };
  if (!isProviderError(error) || !error.isRetryable) return { shouldRetry: false, reason: 'not_retryable' };
  if (attempt >= policy.maxAttempts) return { shouldRetry: false, reason: 'attempts_exhausted' };

  // Capping before the jitter keeps late retries spread out over [maxDelayMs / 2, maxDelayMs].
  const backoffMs = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  const jitteredMs = backoffMs / 2 + (random() * backoffMs) / 2;
  const delayMs = Math.min(Math.max(jitteredMs, error.retryAfterMs ?? 0), policy.maxDelayMs);
  return { shouldRetry: true, delayMs: Math.round(delayMs) };
}

/** True for what `AbortSignal.abort()` and aborted fetches throw (a DOMException named `AbortError`). */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
