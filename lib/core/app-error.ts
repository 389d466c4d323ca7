/**
 * The base of our own errors (`ProviderError`, `StoreError`, `InputError`, `ConfigError`), recognised
 * by a registry-symbol marker and the error's name rather than by `instanceof`: Next.js bundles
 * instrumentation.ts and each route separately, so one process can hold several copies of a class,
 * and an error thrown by one copy must still be recognised by another (the AI SDK does the same).
 */
const appErrorMarker = Symbol.for('imagegen.AppError');

export abstract class AppError extends Error {
  readonly [appErrorMarker] = true;

  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
  }
}

/** True for one of our errors from any bundle's copy of its class; with `name`, only of that kind. */
export function isAppError(error: unknown, name?: string): error is AppError {
  if (typeof error !== 'object' || error === null || (error as Record<symbol, unknown>)[appErrorMarker] !== true) return false;
  return name === undefined || (error as { name?: unknown }).name === name;
}
