import { isStoreError, type StoreErrorKind } from '@/lib/store';
import { isAppError } from '@/lib/core';
import type { InputError } from './input-error';

/*
 * Our errors carry a registry-symbol marker and their name (see lib/core/app-error.ts). Next.js bundles instrumentation.ts and the route handlers
 * separately, each with its own copy of lib/ modules, while the process-wide app (store, queue,
 * providers) is built once, by whichever copy asked first. An error thrown by that app may thus be
 * an instance of another copy's class, and `instanceof` alone would miss it (seen with next start).
 */

const storeErrorKinds: ReadonlySet<string> = new Set<StoreErrorKind>(['not_found', 'invalid_id', 'conflict']);

/** The kind of a store error, from any copy of lib/store; undefined for anything else. */
export function storeErrorKindOf(error: unknown): StoreErrorKind | undefined {
  if (!isStoreError(error)) return undefined;
  const kind = (error as { kind?: unknown }).kind;
  return typeof kind === 'string' && storeErrorKinds.has(kind) ? (kind as StoreErrorKind) : undefined;
}

/** True for an `InputError` from any copy of lib/server. */
export function isInputError(error: unknown): error is InputError {
  return isAppError(error, 'InputError');
}
