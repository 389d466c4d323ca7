/**
 * Why a store refused a request, as data the server maps to HTTP:
 * - `not_found`: no such batch or image (404)
 * - `invalid_id`: an id or cursor that is not one the store could have issued (400, or 404 to reveal nothing)
 * - `conflict`: the request does not fit the current state, e.g. retrying a batch that is still running (409)
 */
export type StoreErrorKind = 'not_found' | 'invalid_id' | 'conflict';

// A registry symbol, not `instanceof`: Next.js bundles instrumentation.ts and each route separately,
// so one process can hold several copies of this class (the same reason as ProviderError's brand).
const storeErrorBrand = Symbol.for('imagegen.StoreError');

export class StoreError extends Error {
  readonly [storeErrorBrand] = true;
  readonly kind: StoreErrorKind;

  constructor(kind: StoreErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.kind = kind;
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[storeErrorBrand] === true;
}
