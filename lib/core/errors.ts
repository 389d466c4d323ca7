/**
 * The error taxonomy. Provider adapters translate every vendor error into a `ProviderError`;
 * nothing above the adapters ever reads a vendor's body.
 */
import { AppError, isAppError } from './app-error';
import type { RateLimitInfo } from './provider';

export const providerErrorKinds = [
  'rate_limited',
  'overloaded',
  'transient',
  'timeout',
  'safety_blocked',
  'invalid_request',
  'auth',
  'not_found',
  'quota_exhausted',
] as const;

export type ProviderErrorKind = (typeof providerErrorKinds)[number];

const retryableKinds: ReadonlySet<ProviderErrorKind> = new Set(['rate_limited', 'overloaded', 'transient', 'timeout']);

export function isRetryableKind(kind: ProviderErrorKind): boolean {
  return retryableKinds.has(kind);
}

/** A short sentence a person can read, per kind (used in responses and on failed tiles). */
export const errorKindLabels: Record<ProviderErrorKind, string> = {
  rate_limited: 'Rate limited by the provider',
  overloaded: 'The provider is overloaded',
  transient: 'Temporary provider or network error',
  timeout: 'Timed out',
  safety_blocked: 'Blocked by the safety filter',
  invalid_request: 'The provider rejected the request',
  auth: 'The provider rejected the API key',
  not_found: 'Model not found (retired or misspelled model id)',
  quota_exhausted: "The provider's quota is used up",
};

export interface ProviderErrorOptions {
  /** HTTP status the provider answered with, when there was one. */
  status?: number;
  /** How long the provider asked us to wait before trying again, in milliseconds. */
  retryAfterMs?: number;
  /**
   * How far, either way, the moment `retryAfterMs` names may be from the one the quota comes back:
   * a hint in whole seconds was rounded (up, as `retry-after` usually is, or down, as Gemini's
   * RetryInfo is), by up to a second. Absent: to the millisecond.
   */
  retryAfterSlackMs?: number;
  /** Extra detail for people (never secrets, never image bytes). */
  details?: string;
  /**
   * The request quota as the provider reported it with the refusal (OpenAI's `x-ratelimit-*`):
   * requests still left means another limit refused the call, not the request rate.
   */
  rateLimit?: RateLimitInfo;
  /**
   * `quota_exhausted`: when the provider said the quota comes back (epoch milliseconds), if it did.
   * Until then the lane sends nothing more to this provider and model.
   */
  resetsAtMs?: number;
  cause?: unknown;
}

/** A provider's failure, classified at the edge. Recognise it with `isProviderError` (see AppError). */
export class ProviderError extends AppError {
  readonly kind: ProviderErrorKind;
  readonly isRetryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly retryAfterSlackMs?: number;
  readonly details?: string;
  readonly rateLimit?: RateLimitInfo;
  readonly resetsAtMs?: number;

  constructor(kind: ProviderErrorKind, message: string, options: ProviderErrorOptions = {}) {
    super('ProviderError', message, { cause: options.cause });
    this.kind = kind;
    this.isRetryable = isRetryableKind(kind);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    if (options.retryAfterSlackMs) this.retryAfterSlackMs = options.retryAfterSlackMs;
    this.details = options.details;
    if (options.rateLimit) this.rateLimit = options.rateLimit;
    if (options.resetsAtMs !== undefined) this.resetsAtMs = options.resetsAtMs;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return isAppError(error, 'ProviderError');
}

/** A failure as data: what an item that failed carries (serialisable). */
export interface ItemError {
  /**
   * `cost_limit`: not started, it would have passed the batch's `maxCostUsd`; `storage_full`: the
   * image was made but the disk refused it (the worker pauses until a write succeeds again).
   */
  kind: ProviderErrorKind | 'internal' | 'cost_limit' | 'storage_full';
  /** Short, human: "Blocked by the safety filter". */
  message: string;
  /** The provider's own words or other specifics. */
  details?: string;
  /** How long the provider asked us to wait, when it said so. */
  retryAfterMs?: number;
  /** Why it was not tried again: the error is not one that retrying cures, or the attempts ran out. */
  retryStop?: 'not_retryable' | 'attempts_exhausted';
}

export function toItemError(error: unknown): ItemError {
  if (isProviderError(error)) {
    const resets = error.resetsAtMs === undefined ? '' : ` until ${new Date(error.resetsAtMs).toISOString()}`;
    return {
      kind: error.kind,
      message: `${errorKindLabels[error.kind]}${resets}`,
      details: error.details ?? error.message,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    };
  }
  return { kind: 'internal', message: 'Internal error', details: error instanceof Error ? error.message : String(error) };
}
