import type { z } from 'zod';
import type { ImageOptions } from '@/lib/core/image-options';
import {
  batchActionResultSchema,
  batchListSchema,
  batchViewSchema,
  storageUsageSchema,
  type BatchList,
  type BatchView,
  type StorageUsageView,
} from '@/lib/core/api-views';

export interface BatchRequest extends ImageOptions {
  prompt: string;
  numberOfImages: number;
  /** The server's default when absent. */
  provider?: string;
  model?: string;
  /** Present (one or more) for image-to-image. */
  images?: File[];
}

/** Fields the server may name in a 400; shown next to that field. */
export const requestFields = [
  'prompt',
  'numberOfImages',
  'image',
  'provider',
  'model',
  'aspectRatio',
  'size',
  'quality',
  'outputFormat',
  'background',
  'maxCostUsd',
] as const;
export type RequestField = (typeof requestFields)[number];

/** The option fields sent as they are, in JSON and in multipart forms alike. */
const optionFields = ['provider', 'model', 'aspectRatio', 'size', 'quality', 'outputFormat', 'background'] as const;

export interface ApiError {
  /** 0 when the server could not be reached. */
  status: number;
  message: string;
  field?: RequestField;
}

export type ApiResult<Value> = ({ ok: true } & { value: Value }) | ({ ok: false } & ApiError);

function isRequestField(value: unknown): value is RequestField {
  return typeof value === 'string' && (requestFields as readonly string[]).includes(value);
}

/** The `{ error, field? }` body of a refused request, or its status line when the body says nothing. */
export async function readApiError(response: Response): Promise<ApiError> {
  let message = `The server answered ${response.status} ${response.statusText}`.trim();
  let field: RequestField | undefined;
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null) {
      if ('error' in body && typeof body.error === 'string') message = body.error;
      if ('field' in body && isRequestField(body.field)) field = body.field;
    }
  } catch {
    // Not JSON: keep the status line.
  }
  return { status: response.status, message, ...(field ? { field } : {}) };
}

/** The response, or why there is none (the server could not be reached, or refused the request). */
async function send(url: string, init: RequestInit): Promise<ApiResult<Response>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, status: 0, message: `Could not reach the server (${reason})` };
  }
  if (!response.ok) return { ok: false, ...(await readApiError(response)) };
  return { ok: true, value: response };
}

async function requestJson<Value>(url: string, init: RequestInit, schema: z.ZodType<Value>): Promise<ApiResult<Value>> {
  const sent = await send(url, init);
  if (!sent.ok) return sent;
  const response = sent.value;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, status: response.status, message: 'The server did not answer JSON.' };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, status: response.status, message: `The server's answer was not understood (${parsed.error.issues[0]?.message}).` };
  }
  return { ok: true, value: parsed.data };
}

/** The request as JSON, or as a multipart form (one `image` field per file) when it carries images. */
export function toRequestBody(request: BatchRequest): { body: BodyInit; headers: Record<string, string> } {
  const options = Object.fromEntries(optionFields.flatMap((field) => (request[field] ? [[field, request[field]]] : [])));
  if (request.images && request.images.length > 0) {
    const form = new FormData();
    form.set('prompt', request.prompt);
    form.set('numberOfImages', String(request.numberOfImages));
    for (const [field, value] of Object.entries(options)) form.set(field, value);
    for (const image of request.images) form.append('image', image, image.name);
    return { body: form, headers: {} };
  }
  const body = JSON.stringify({ prompt: request.prompt, numberOfImages: request.numberOfImages, ...options });
  return { body, headers: { 'Content-Type': 'application/json' } };
}

/** `POST /api/batches`: the server stores and queues the batch and answers at once (202); it survives a reload. */
export function createBatch(request: BatchRequest): Promise<ApiResult<BatchView>> {
  return requestJson('/api/batches', { method: 'POST', ...toRequestBody(request) }, batchViewSchema);
}

export function getBatch(batch: BatchView): Promise<ApiResult<BatchView>> {
  return requestJson(batch.url, { cache: 'no-store' }, batchViewSchema);
}

/** Newest first; `before` is the previous page's `nextCursor`. */
export function listBatches(limit: number, before?: string): Promise<ApiResult<BatchList>> {
  const query = new URLSearchParams({ limit: String(limit), ...(before ? { before } : {}) });
  return requestJson(`/api/batches?${query}`, { cache: 'no-store' }, batchListSchema);
}

/** `cancel`: queued images are canceled, calls in flight stopped. `retry`: failed and canceled images run again. */
export async function postBatchAction(batch: BatchView, action: 'cancel' | 'retry'): Promise<ApiResult<BatchView>> {
  const result = await requestJson(`${batch.url}/${action}`, { method: 'POST' }, batchActionResultSchema);
  return result.ok ? { ok: true, value: result.value.batch } : result;
}

/** `DELETE /api/batches/:id`: a finished batch goes, with its images (204); a 409 while it is queued or running. */
export async function deleteBatch(batch: BatchView): Promise<ApiResult<null>> {
  const sent = await send(batch.url, { method: 'DELETE' });
  return sent.ok ? { ok: true, value: null } : sent;
}

/** `GET /api/storage`: how many batches and images the server keeps, and their bytes. */
export function getStorageUsage(): Promise<ApiResult<StorageUsageView>> {
  return requestJson('/api/storage', { cache: 'no-store' }, storageUsageSchema);
}
