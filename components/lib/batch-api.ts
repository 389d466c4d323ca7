import { imageOptionFields, type ImageOptions } from '@/lib/core/image-options';
import type { BatchList, BatchView, StorageUsageView } from '@/lib/core/api-views';
import { requestJson, send, type ApiResult } from './api-request';

export type { ApiResult } from './api-request';

export interface BatchRequest extends ImageOptions {
  /** One or more, in order: sent as `prompt` when there is one, as `prompts` when there are several. */
  prompts: string[];
  /** Images per prompt. */
  numberOfImages: number;
  /** The server's default when absent. */
  provider?: string;
  model?: string;
  /** Present (one or more) for image-to-image. */
  images?: File[];
}

/** The option fields sent as they are, in JSON and in multipart forms alike. */
const optionFields = ['provider', 'model', ...imageOptionFields] as const;

/**
 * The request as JSON, or as a multipart form (one `image` field per file, one `prompts` field per
 * prompt) when it carries images. A single prompt goes as `prompt`, as every client has sent it.
 */
export function toRequestBody(request: BatchRequest): { body: BodyInit; headers: Record<string, string> } {
  // Present, not truthy: seed 0 and denoisingStrength 0 are choices.
  const options = Object.fromEntries(optionFields.flatMap((field) => (request[field] !== undefined && request[field] !== '' ? [[field, request[field]]] : [])));
  const [onlyPrompt] = request.prompts.length === 1 ? request.prompts : [];
  if (request.images && request.images.length > 0) {
    const form = new FormData();
    if (onlyPrompt !== undefined) form.set('prompt', onlyPrompt);
    else for (const prompt of request.prompts) form.append('prompts', prompt);
    form.set('numberOfImages', String(request.numberOfImages));
    for (const [field, value] of Object.entries(options)) form.set(field, String(value));
    for (const image of request.images) form.append('image', image, image.name);
    return { body: form, headers: {} };
  }
  const prompts = onlyPrompt !== undefined ? { prompt: onlyPrompt } : { prompts: request.prompts };
  const body = JSON.stringify({ ...prompts, numberOfImages: request.numberOfImages, ...options });
  return { body, headers: { 'Content-Type': 'application/json' } };
}

// A 401 from any of these sends the person to the sign-in page (see `send`).

/** `POST /api/batches`: the server stores and queues the batch and answers at once (202); it survives a reload. */
export function createBatch(request: BatchRequest): Promise<ApiResult<BatchView>> {
  return requestJson('/api/batches', { method: 'POST', ...toRequestBody(request) }, (schemas) => schemas.batchViewSchema);
}

export function getBatch(batch: BatchView): Promise<ApiResult<BatchView>> {
  return requestJson(batch.url, { cache: 'no-store' }, (schemas) => schemas.batchViewSchema);
}

/** Newest first; `before` is the previous page's `nextCursor`; `filters` the search (see `toApiSearch`). */
export function listBatches(limit: number, before?: string, filters: Record<string, string> = {}): Promise<ApiResult<BatchList>> {
  const query = new URLSearchParams({ limit: String(limit), ...(before ? { before } : {}), ...filters });
  return requestJson(`/api/batches?${query}`, { cache: 'no-store' }, (schemas) => schemas.batchListSchema);
}

/** `cancel`: queued images are canceled, calls in flight stopped. `retry`: failed and canceled images run again. */
export async function postBatchAction(batch: BatchView, action: 'cancel' | 'retry'): Promise<ApiResult<BatchView>> {
  const result = await requestJson(`${batch.url}/${action}`, { method: 'POST' }, (schemas) => schemas.batchActionResultSchema);
  return result.ok ? { ok: true, value: result.value.batch } : result;
}

/** `DELETE /api/batches/:id`: a finished batch goes, with its images (204); a 409 while it is queued or running. */
export async function deleteBatch(batch: BatchView): Promise<ApiResult<null>> {
  const sent = await send(batch.url, { method: 'DELETE' });
  return sent.ok ? { ok: true, value: null } : sent;
}

/** `GET /api/storage`: how many batches and images the server keeps, and their bytes. */
export function getStorageUsage(): Promise<ApiResult<StorageUsageView>> {
  return requestJson('/api/storage', { cache: 'no-store' }, (schemas) => schemas.storageUsageSchema);
}
