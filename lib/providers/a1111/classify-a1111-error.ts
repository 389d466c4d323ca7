import { ProviderError, type ProviderErrorKind } from '@/lib/core';
import { abortErrorOf, hasName, messageOf, networkErrorCode, sanitizeDetails } from '../shared/error-helpers';
import { errorBodySchema } from './a1111-wire';

/** Translates A1111 answers and fetch failures into one `ProviderError`. Nothing above reads A1111's body. */

/** The kind of an A1111 HTTP error. */
export function a1111KindForStatus(status: number, detail: string): ProviderErrorKind {
  if (status === 401 || status === 403) return 'auth';
  // `validate_sampler_name` answers 404 "Sampler not found": the request, not a route, is wrong.
  if (status === 404) return /sampler/i.test(detail) ? 'invalid_request' : 'not_found';
  if (status === 400 || status === 422) return 'invalid_request';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'overloaded';
  // 500: A1111 wraps any exception so (CUDA out of memory, a checkpoint that failed to load, an
  // extension's bug); another attempt often passes, and the engine bounds how many.
  return 'transient';
}

/** An HTTP error answer: status plus A1111's body in a sentence (the exception, its detail or its text). */
export function classifyA1111Response(status: number, bodyText: string, secrets: readonly string[]): ProviderError {
  const detail = sanitizeDetails(describeErrorBody(bodyText), secrets);
  const kind = a1111KindForStatus(status, detail);
  const message =
    kind === 'auth'
      ? `AUTOMATIC1111 refused the credentials (HTTP ${status}): check A1111_AUTH against its --api-auth`
      : `AUTOMATIC1111 API error ${status}`;
  return new ProviderError(kind, message, { status, ...(detail ? { details: detail } : {}) });
}

/** A thrown fetch failure: the caller's abort as is; unreachable servers are transient, timeouts timeouts. */
export function classifyA1111Failure(error: unknown, options: { signal?: AbortSignal; secrets: readonly string[]; origin: string }): Error {
  const { signal, secrets, origin } = options;
  if (signal?.aborted) return abortErrorOf(signal);
  if (error instanceof ProviderError) return error;
  const details = sanitizeDetails([networkErrorCode(error), messageOf(error)].filter(Boolean).join(': '), secrets);
  if (hasName(error, 'TimeoutError') || hasName(error, 'AbortError')) {
    return new ProviderError('timeout', 'AUTOMATIC1111 did not answer in time', { details, cause: error });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError('transient', 'AUTOMATIC1111 answered with a malformed body', { details, cause: error });
  }
  // Connection refused while the server restarts or loads: the usual local outage, worth a retry.
  return new ProviderError('transient', `AUTOMATIC1111 is unreachable at ${origin}`, { details, cause: error });
}

function describeErrorBody(bodyText: string): string {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return bodyText;
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return bodyText;
  const { error, detail, errors } = parsed.data;
  const detailText = Array.isArray(detail)
    ? detail.map((entry) => [entry.loc?.join('.'), entry.msg].filter(Boolean).join(': ')).join('; ')
    : detail;
  return [error, detailText, errors].filter((part) => part !== undefined && part !== '').join(': ');
}
