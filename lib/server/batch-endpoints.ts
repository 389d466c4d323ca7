import { parseBatchRequest } from './batch-input';
import { respondWithBatchEvents } from './batch-events';
import { respondWithBatchZip } from './batch-zip';
import { cancelBatch, createBatch, deleteBatch, getBatch, getStorageUsage, listBatches, parseListBatchesQuery, retryBatch } from './batches';
import { respondWithImage } from './image-response';
import { deleteImage, parseFavoriteBody, parseItemIndex, setFavorite } from './batch-images';
import { respondWithImagesZip } from './images-zip';
import { authenticateRequest } from './create-app';
import type { Principal } from './accounts';
import { toErrorResponse } from './to-response';

/**
 * The bodies of the batch API's route handlers: each authenticates (before reading any body),
 * parses, calls the batch library, answers JSON, and maps every error in one place. The route
 * files only pass the request and the id.
 */
async function answer(request: Request, work: (principal: Principal) => Promise<Response>): Promise<Response> {
  try {
    return await work(await authenticateRequest(request));
  } catch (error) {
    return toErrorResponse(error);
  }
}

/** `POST /api/batches` → 202 with the batch (queued) and where to follow it. */
export const respondToCreateBatch = (request: Request) =>
  answer(request, async (principal) => {
    const batch = await createBatch(principal, await parseBatchRequest(request), { origin: new URL(request.url).origin });
    return Response.json(batch, { status: 202, headers: { Location: batch.url } });
  });

/** `GET /api/batches?limit=&before=` → `{ batches, nextCursor?, nextUrl? }`, newest first. */
export const respondToListBatches = (request: Request) =>
  answer(request, async (principal) => Response.json(await listBatches(principal, parseListBatchesQuery(new URL(request.url))), { headers: noStore }));

/** `GET /api/batches/:id` → the batch with its items. */
export const respondToGetBatch = (request: Request, batchId: string) =>
  answer(request, async (principal) => Response.json(await getBatch(principal, batchId), { headers: noStore }));

/** `DELETE /api/batches/:id` → 204; 409 while the batch runs (cancel it first). */
export const respondToDeleteBatch = (request: Request, batchId: string) =>
  answer(request, async (principal) => {
    await deleteBatch(principal, batchId);
    return new Response(null, { status: 204 });
  });

/** `GET /api/storage` → `{ batchCount, imageCount, imageBytes, retentionDays? }`. */
export const respondToStorageUsage = (request: Request) =>
  answer(request, async (principal) => Response.json(await getStorageUsage(principal), { headers: noStore }));

/** `POST /api/batches/:id/cancel` → `{ batch, canceledCount }`. */
export const respondToCancelBatch = (request: Request, batchId: string) =>
  answer(request, async (principal) => Response.json(await cancelBatch(principal, batchId)));

/** `POST /api/batches/:id/retry` → 202 `{ batch, requeuedCount }`; 409 while the batch is still running. */
export const respondToRetryBatch = (request: Request, batchId: string) =>
  answer(request, async (principal) => {
    const result = await retryBatch(principal, batchId);
    return Response.json(result, { status: result.requeuedCount > 0 ? 202 : 200 });
  });

/** `GET /api/batches/:id/events` → SSE (see `respondWithBatchEvents`). */
export const respondToBatchEvents = (request: Request, batchId: string) => answer(request, (principal) => respondWithBatchEvents(request, batchId, principal));

/** `GET /api/batches/:id/zip` → the streamed ZIP. */
export const respondToBatchZip = (request: Request, batchId: string) => answer(request, (principal) => respondWithBatchZip(request, batchId, principal));

/** `GET /api/images/:id` → the image's bytes. */
export const respondToImage = (request: Request, imageId: string) => answer(request, (principal) => respondWithImage(request, imageId, principal));

/** `POST /api/batches/:id/items/:index/favorite` `{ favorite }` → `{ item }` as it now stands. */
export const respondToSetFavorite = (request: Request, batchId: string, indexText: string) =>
  answer(request, async (principal) => {
    const index = parseItemIndex(indexText);
    const item = await setFavorite(principal, batchId, index, await parseFavoriteBody(request));
    return Response.json({ item }, { headers: noStore });
  });

/** `DELETE /api/batches/:id/items/:index` → `{ batch }` without that image; 409 while the batch runs. */
export const respondToDeleteImage = (request: Request, batchId: string, indexText: string) =>
  answer(request, async (principal) => Response.json({ batch: await deleteImage(principal, batchId, parseItemIndex(indexText)) }, { headers: noStore }));

/** `POST /api/zip` `{ images: [imageId, …] }` → the streamed ZIP of those images with manifest.json. */
export const respondToImagesZip = (request: Request) => answer(request, (principal) => respondWithImagesZip(request, principal));

const noStore = { 'Cache-Control': 'no-store' };
