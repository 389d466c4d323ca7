import { parseBatchRequest } from './batch-input';
import { respondWithBatchEvents } from './batch-events';
import { respondWithBatchZip } from './batch-zip';
import { cancelBatch, createBatch, deleteBatch, getBatch, getStorageUsage, listBatches, parseListBatchesQuery, retryBatch } from './batches';
import { respondWithImage } from './image-response';
import { toErrorResponse } from './to-response';

/**
 * The bodies of the batch API's route handlers: each parses, calls the batch library, answers
 * JSON, and maps every error in one place. The route files only pass the request and the id.
 */
async function answer(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return toErrorResponse(error);
  }
}

/** `POST /api/batches` → 202 with the batch (queued) and where to follow it. */
export const respondToCreateBatch = (request: Request) =>
  answer(async () => {
    const batch = await createBatch(await parseBatchRequest(request));
    return Response.json(batch, { status: 202, headers: { Location: batch.url } });
  });

/** `GET /api/batches?limit=&before=` → `{ batches, nextCursor?, nextUrl? }`, newest first. */
export const respondToListBatches = (request: Request) =>
  answer(async () => Response.json(await listBatches(parseListBatchesQuery(new URL(request.url))), { headers: noStore }));

/** `GET /api/batches/:id` → the batch with its items. */
export const respondToGetBatch = (_request: Request, batchId: string) =>
  answer(async () => Response.json(await getBatch(batchId), { headers: noStore }));

/** `DELETE /api/batches/:id` → 204; 409 while the batch runs (cancel it first). */
export const respondToDeleteBatch = (_request: Request, batchId: string) =>
  answer(async () => {
    await deleteBatch(batchId);
    return new Response(null, { status: 204 });
  });

/** `GET /api/storage` → `{ batchCount, imageCount, imageBytes, retentionDays? }`. */
export const respondToStorageUsage = () => answer(async () => Response.json(await getStorageUsage(), { headers: noStore }));

/** `POST /api/batches/:id/cancel` → `{ batch, canceledCount }`. */
export const respondToCancelBatch = (_request: Request, batchId: string) => answer(async () => Response.json(await cancelBatch(batchId)));

/** `POST /api/batches/:id/retry` → 202 `{ batch, requeuedCount }`; 409 while the batch is still running. */
export const respondToRetryBatch = (_request: Request, batchId: string) =>
  answer(async () => {
    const result = await retryBatch(batchId);
    return Response.json(result, { status: result.requeuedCount > 0 ? 202 : 200 });
  });

/** `GET /api/batches/:id/events` → SSE (see `respondWithBatchEvents`). */
export const respondToBatchEvents = (request: Request, batchId: string) => answer(() => respondWithBatchEvents(request, batchId));

/** `GET /api/batches/:id/zip` → the streamed ZIP. */
export const respondToBatchZip = (request: Request, batchId: string) => answer(() => respondWithBatchZip(request, batchId));

/** `GET /api/images/:id` → the image's bytes. */
export const respondToImage = (request: Request, imageId: string) => answer(() => respondWithImage(request, imageId));

const noStore = { 'Cache-Control': 'no-store' };
