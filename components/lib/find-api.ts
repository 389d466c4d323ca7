import type { BatchItemView, BatchView } from '@/lib/core/api-views';
import { jsonBody, requestJson, send, type ApiResult } from './api-request';

/** The find-and-keep calls of the batch API: favorites, deleting one image, a ZIP of chosen images. */

const itemUrl = (batchUrl: string, index: number) => `${batchUrl}/items/${index}`;

/** `POST <batch>/items/<index>/favorite`: the item as it now stands. */
export async function setFavorite(batchUrl: string, index: number, isFavorite: boolean): Promise<ApiResult<BatchItemView>> {
  const result = await requestJson(`${itemUrl(batchUrl, index)}/favorite`, { method: 'POST', ...jsonBody({ favorite: isFavorite }) }, (schemas) => schemas.itemAnswerSchema);
  return result.ok ? { ok: true, value: result.value.item } : result;
}

/** `DELETE <batch>/items/<index>`: the batch without that image (a 409 while it runs). */
export async function deleteImage(batchUrl: string, index: number): Promise<ApiResult<BatchView>> {
  const result = await requestJson(itemUrl(batchUrl, index), { method: 'DELETE' }, (schemas) => schemas.batchAnswerSchema);
  return result.ok ? { ok: true, value: result.value.batch } : result;
}

/** `POST /api/zip`: the archive and the name the server gave it. */
export async function fetchImagesZip(imageIds: readonly string[]): Promise<ApiResult<{ blob: Blob; fileName: string }>> {
  const sent = await send('/api/zip', { method: 'POST', ...jsonBody({ images: imageIds }) });
  if (!sent.ok) return sent;
  const fileName = /filename="([^"]+)"/.exec(sent.value.headers.get('content-disposition') ?? '')?.[1] ?? 'images.zip';
  try {
    return { ok: true, value: { blob: await sent.value.blob(), fileName } };
  } catch (error) {
    return { ok: false, status: 0, message: `The download broke off (${error instanceof Error ? error.message : String(error)})` };
  }
}

/** Saves a blob as a file, the way a download link does. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the blob to the download; a moment later its URL can go.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
