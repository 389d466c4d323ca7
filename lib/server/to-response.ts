import { ConfigError } from '@/lib/core';
import { InputError } from './input-error';
import { logEvent } from './logger';

/** The one place errors become HTTP responses. Bodies never carry secrets or stack traces. */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof InputError) {
    return Response.json({ error: error.message, ...(error.field ? { field: error.field } : {}) }, { status: error.status });
  }
  if (error instanceof ConfigError) {
    // Config messages name variables, never their values.
    logEvent('config-error', { message: error.message });
    return Response.json({ error: error.message }, { status: 500 });
  }
  logEvent('internal-error', { message: error instanceof Error ? error.message : String(error) });
  return Response.json({ error: 'Internal server error' }, { status: 500 });
}
