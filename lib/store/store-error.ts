import { AppError, isAppError } from '@/lib/core';

/**
 * Why a store refused a request, as data the server maps to HTTP:
 * - `not_found`: no such batch or image (404)
 * - `invalid_id`: an id or cursor that is not one the store could have issued (400, or 404 to reveal nothing)
 * - `conflict`: the request does not fit the current state, e.g. retrying a batch that is still running (409)
 */
export type StoreErrorKind = 'not_found' | 'invalid_id' | 'conflict';

/** Recognise it with `isStoreError` (see AppError: several bundles may hold copies of this class). */
export class StoreError extends AppError {
  readonly kind: StoreErrorKind;

  constructor(kind: StoreErrorKind, message: string, options?: { cause?: unknown }) {
    super('StoreError', message, options);
    this.kind = kind;
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return isAppError(error, 'StoreError');
}
