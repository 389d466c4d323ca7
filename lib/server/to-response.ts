import { isConfigError } from '@/lib/core';
import { isStorageFullError, type StoreErrorKind } from '@/lib/store';
import { isInputError, storeErrorKindOf } from './error-kinds';
import { isAuthError } from './accounts';
import { logEvent } from './logger';
import { isQuotaError } from './quotas';

const statusByStoreErrorKind: Record<StoreErrorKind, number> = {
  invalid_id: 400,
  not_found: 404,
  conflict: 409,
};

/** The one place errors become HTTP responses. Bodies never carry secrets or stack traces. */
export function toErrorResponse(error: unknown): Response {
  if (isInputError(error)) {
    return Response.json({ error: error.message, ...(error.field ? { field: error.field } : {}) }, { status: error.status });
  }
  if (isAuthError(error)) {
    return Response.json({ error: error.message }, { status: error.status, headers: error.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {} });
  }
  if (isQuotaError(error)) {
    const retryAfterSeconds = error.resetsAt === undefined ? undefined : Math.max(1, Math.ceil((Date.parse(error.resetsAt) - Date.now()) / 1000));
    return Response.json(
      { error: error.message, limit: error.limit, ...(error.resetsAt === undefined ? {} : { resetsAt: error.resetsAt }) },
      { status: error.status, headers: retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) } },
    );
  }
  const storeErrorKind = storeErrorKindOf(error);
  if (storeErrorKind) {
    return Response.json({ error: (error as Error).message }, { status: statusByStoreErrorKind[storeErrorKind] });
  }
  if (isStorageFullError(error)) {
    logEvent('storage-full', { message: error instanceof Error ? error.message : String(error) });
    return Response.json(
      { error: "The server's storage is full: free some disk space (or delete old batches) and try again." },
      { status: 507 },
    );
  }
  if (isConfigError(error)) {
    // Config messages name variables, never their values.
    logEvent('config-error', { message: error.message });
    return Response.json({ error: error.message }, { status: 500 });
  }
  logEvent('internal-error', { message: error instanceof Error ? error.message : String(error) });
  return Response.json({ error: 'Internal server error' }, { status: 500 });
}
