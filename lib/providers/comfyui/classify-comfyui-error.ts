import { z } from 'zod';
import { ProviderError } from '@/lib/core';
import { abortErrorOf, hasName, messageOf, networkErrorCode, sanitizeDetails } from '../shared/error-helpers';

/**
 * Translates ComfyUI's failures into one `ProviderError`. ComfyUI is a local, keyless server: it
 * has no rate limits or quotas, so what matters is whether the same workflow could ever succeed.
 */

/**
 * The 400 body of `POST /prompt` (server.py `post_prompt`, execution.py `validate_prompt`):
 * `{error: {type, message, details, extra_info}, node_errors: {id: {errors: [...], class_type}}}`.
 */
const nodeErrorEntrySchema = z.looseObject({
  class_type: z.string().optional(),
  errors: z.array(z.looseObject({ type: z.string().optional(), message: z.string().optional(), details: z.string().optional() })).default([]),
});
type NodeErrorEntry = z.output<typeof nodeErrorEntrySchema>;

export const promptRejectionSchema = z.looseObject({
  error: z.union([
    z.looseObject({ type: z.string().optional(), message: z.string().optional(), details: z.string().optional() }),
    z.string(),
  ]).optional(),
  // An empty list (not an object) when the prompt itself is wrong, e.g. `prompt_no_outputs`.
  node_errors: z
    .record(z.string(), nodeErrorEntrySchema)
    .or(z.array(z.unknown()).transform((): Record<string, NodeErrorEntry> => ({})))
    .optional(),
});
export type PromptRejection = z.output<typeof promptRejectionSchema>;

/** `execution_error` data in `/history` status messages (and on the websocket). */
export const executionErrorSchema = z.looseObject({
  node_id: z.union([z.string(), z.number()]).optional(),
  node_type: z.string().optional(),
  exception_type: z.string().optional(),
  exception_message: z.string().optional(),
});
export type ExecutionError = z.output<typeof executionErrorSchema>;

/**
 * A refused `POST /prompt`. A 400 is the workflow failing validation (a missing node or input, an
 * unknown checkpoint, a bad value): the same workflow fails again, `invalid_request`. Anything
 * else (a 5xx, a proxy's answer) is the server's trouble: `transient`.
 */
export function classifyPromptRejection(status: number, body: unknown): ProviderError {
  const parsed = promptRejectionSchema.safeParse(body);
  const rejection = parsed.success ? parsed.data : {};
  const details = sanitizeDetails(rejectionDetails(rejection) || (typeof body === 'string' ? body : JSON.stringify(body ?? '')), []);
  if (status === 400) {
    return new ProviderError('invalid_request', 'ComfyUI rejected the workflow', { status, details });
  }
  return new ProviderError('transient', `ComfyUI answered HTTP ${status}`, { status, details });
}

function rejectionDetails(rejection: PromptRejection): string {
  const parts: string[] = [];
  const { error } = rejection;
  if (typeof error === 'string') parts.push(error);
  else if (error) parts.push([error.message, error.details].filter(Boolean).join(': '));
  for (const [nodeId, nodeError] of Object.entries(rejection.node_errors ?? {})) {
    for (const problem of nodeError.errors) {
      parts.push(`node ${nodeId}${nodeError.class_type ? ` (${nodeError.class_type})` : ''}: ${[problem.message, problem.details].filter(Boolean).join(': ')}`);
    }
  }
  return parts.filter(Boolean).join('; ');
}

/** Exceptions that say the GPU was busy or short of memory: another try, later, may pass. */
const transientExceptionPattern = /OutOfMemory|out of memory|CUDA error|MPS backend out of memory|Allocation on device/i;

/**
 * A workflow that failed while running. Out of memory (another job held the GPU) is `transient`;
 * any other exception comes from the graph or its models and would come again: `invalid_request`.
 */
export function classifyExecutionError(error: ExecutionError): ProviderError {
  const text = `${error.exception_type ?? ''} ${error.exception_message ?? ''}`;
  const where = error.node_id === undefined ? '' : `node ${error.node_id}${error.node_type ? ` (${error.node_type})` : ''}: `;
  const details = sanitizeDetails(`${where}${[error.exception_type, error.exception_message].filter(Boolean).join(': ')}`, []);
  const kind = transientExceptionPattern.test(text) ? 'transient' : 'invalid_request';
  return new ProviderError(kind, 'The ComfyUI workflow failed while running', { details });
}

/**
 * A thrown `fetch` failure. The caller's abort stays an abort; our own deadline is a `timeout`; a
 * server that cannot be reached (not started, restarting) is `transient`.
 */
export function classifyComfyUIFetchError(error: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return abortErrorOf(signal);
  if (error instanceof ProviderError) return error;
  if (hasName(error, 'TimeoutError')) {
    return new ProviderError('timeout', 'ComfyUI did not finish in time', { details: sanitizeDetails(messageOf(error), []), cause: error });
  }
  const code = networkErrorCode(error);
  return new ProviderError('transient', 'Cannot reach ComfyUI', {
    details: sanitizeDetails([code, messageOf(error)].filter(Boolean).join(': '), []),
    cause: error,
  });
}
