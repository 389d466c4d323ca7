import { isFinishedBatchStatus, type BatchList } from '@/lib/core';
import { StoreError, type BatchRecord, type BatchWithItems, type ImageRef, type Store, type StoreUsage } from '@/lib/store';
import type { BatchInput } from './batch-input';
import { resolveRequestedModel } from './request-options';
import { toBatchView, type BatchView } from './batch-view';
import { getApp } from './create-app';
import { storeErrorKindOf } from './error-kinds';
import { InputError } from './input-error';
import { canSee, ownerIdOf, seesEverything, type Principal } from './accounts';
import { enforceQuota, oneAtATimeFor } from './quotas';
import { filterSearchParams, parseBatchFilters, toStoreFilters, type BatchFilters } from './batch-filters';
import { webhookTargetsFor } from './webhooks';

/** Where a batch is created from: the origin its image URLs are made absolute with in webhooks (PUBLIC_URL comes first). */
export interface CreateBatchContext {
  /** The request's origin, e.g. `http://127.0.0.1:3000` (its host passed the allow-list). */
  origin?: string;
}

/**
 * The batch API as functions: what the routes (and the page) call. Each resolves plain data or
 * throws an `InputError` / `StoreError` that `toErrorResponse` maps to HTTP.
 */

/** A page of batches, newest first (the shape is lib/core's `batchListSchema`). */
export type { BatchList };

export interface ListBatchesQuery extends BatchFilters {
  /** 1 to 100. @default 20 */
  limit?: number;
  /** A batch id from a previous page's `nextCursor`. @default the newest batch */
  before?: string;
}

export const defaultBatchPageSize = 20;
const maxBatchPageSize = 100;
const maxCursorLength = 200;

/**
 * Checks the request against the chosen model and the principal's quotas, stores the input images
 * (so the batch survives a restart), creates the batch and wakes the worker.
 */
export async function createBatch(principal: Principal, input: BatchInput, context: CreateBatchContext = {}): Promise<BatchView> {
  const app = getApp();
  const { requested } = input;
  const { provider, providerInfo, estimatedImageCostUsd } = resolveRequestedModel(app, requested, input.inputImages);
  const webhookUrls = await webhookTargetsFor(input.webhookUrl, {
    allowPrivate: app.config.WEBHOOK_ALLOW_PRIVATE,
    ...(app.config.WEBHOOK_URL === undefined ? {} : { defaultUrl: app.config.WEBHOOK_URL }),
  });
  const publicOrigin = app.publicOrigin ?? context.origin;
  const { store, queue } = await app.batches();
  const ownerId = ownerIdOf(principal);
  const tokenId = principal.kind === 'user' ? principal.token?.id : undefined;
  const images = input.prompts.length * input.numberOfImages;
  // One creation at a time per owner: two requests at once cannot both take a quota's last slot.
  return oneAtATimeFor(ownerId ?? '', async () => {
    const { spendLeftUsd } = await enforceQuota(store.batches, principal, {
      providerId: provider.id,
      modelId: provider.modelId,
      images,
      ...(estimatedImageCostUsd === undefined ? {} : { estimatedImageCostUsd }),
    });
    // The day's spend cap also caps this batch's own spending: prices that turn out higher than
    // estimated stop it (as cost_limit) rather than overrun the day.
    const maxCostUsd = spendLeftUsd === undefined ? requested.maxCostUsd : Math.min(requested.maxCostUsd ?? Infinity, spendLeftUsd);
    const inputImages: ImageRef[] = [];
    try {
      for (const image of input.inputImages ?? []) inputImages.push(await store.blobs.put(image.bytes, image.mimeType));
      const batch = await queue.enqueue({
        prompt: input.prompts[0]!,
        mode: inputImages.length > 0 ? 'image-to-image' : 'text-to-image',
        providerId: provider.id,
        modelId: provider.modelId,
        isDemo: providerInfo.isDemo,
        params: {
          numberOfImages: input.numberOfImages,
          ...requested.options,
          ...(input.prompts.length > 1 ? { prompts: input.prompts } : {}),
          ...(inputImages.length > 0 ? { inputImages } : {}),
          ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
          ...(estimatedImageCostUsd === undefined ? {} : { estimatedImageCostUsd }),
          ...(webhookUrls.length > 0 ? { webhookUrls } : {}),
          ...(webhookUrls.length > 0 && publicOrigin !== undefined ? { publicOrigin } : {}),
        },
        items: input.prompts.flatMap((prompt) => Array.from({ length: input.numberOfImages }, () => ({ prompt }))),
        ...(ownerId === undefined ? {} : { ownerId }),
        ...(tokenId === undefined ? {} : { tokenId }),
      });
      return toBatchView(batch);
    } catch (error) {
      for (const image of inputImages) await forgetImage(store, image);
      throw error;
    }
  });
}

export async function getBatch(principal: Principal, batchId: string): Promise<BatchView> {
  const { store } = await getApp().batches();
  return viewOf(store, await requireBatch(store, batchId, principal));
}

/** The principal's batches (every batch for an admin, or without accounts), newest first. */
export async function listBatches(principal: Principal, { limit = defaultBatchPageSize, before, ...filters }: ListBatchesQuery = {}): Promise<BatchList> {
  const { store } = await getApp().batches();
  try {
    if (before !== undefined) await requireBatch(store, before, principal).catch(() => throwBadCursor());
    const ownerId = seesEverything(principal) ? undefined : ownerIdOf(principal);
    const page = await store.batches.listBatches({
      limit,
      before,
      includeItems: true,
      ...(ownerId === undefined ? {} : { ownerId }),
      ...toStoreFilters(filters),
    });
    const batches = await Promise.all(page.batches.map((batch) => viewOf(store, batch)));
    if (!page.nextCursor) return { batches };
    // The next page keeps the search: the cursor pages within the filtered results.
    const nextQuery = new URLSearchParams({ limit: String(limit), before: page.nextCursor, ...filterSearchParams(filters) });
    const nextUrl = `/api/batches?${nextQuery}`;
    return { batches, nextCursor: page.nextCursor, nextUrl };
  } catch (error) {
    if (storeErrorKindOf(error) === 'invalid_id') throwBadCursor();
    throw error;
  }
}

function throwBadCursor(): never {
  throw new InputError('before must be the nextCursor of a previous page (a batch id).', { field: 'before' });
}

/** Cancels the batch (idempotent) and answers it as it now stands. */
export async function cancelBatch(principal: Principal, batchId: string): Promise<{ batch: BatchView; canceledCount: number }> {
  const { store, queue } = await getApp().batches();
  await requireBatch(store, batchId, principal);
  const canceledCount = await queue.cancel(batchId).catch(rethrowNotFound);
  return { batch: await viewOf(store, await requireBatch(store, batchId)), canceledCount };
}

/** Deletes a finished batch, its items, events and image files; a 409 while it is queued or running. */
export async function deleteBatch(principal: Principal, batchId: string): Promise<void> {
  const { store, queue } = await getApp().batches();
  await requireBatch(store, batchId, principal);
  try {
    await queue.delete(batchId);
  } catch (error) {
    if (storeErrorKindOf(error) === 'conflict') {
      throw new StoreError('conflict', 'The batch is still running: cancel it (POST /api/batches/:id/cancel) before deleting it.');
    }
    rethrowNotFound(error);
  }
}

/** What the stored batches take: for the page's "gallery uses …". */
export async function getStorageUsage(principal: Principal): Promise<StoreUsage & { retentionDays?: number }> {
  const app = getApp();
  const { store } = await app.batches();
  const ownerId = seesEverything(principal) ? undefined : ownerIdOf(principal);
  const usage = await store.batches.usage(ownerId === undefined ? {} : { ownerId });
  return { ...usage, ...(app.config.RETENTION_DAYS === undefined ? {} : { retentionDays: app.config.RETENTION_DAYS }) };
}

/**
 * Requeues the failed and canceled items; a 409 while the batch is still queued or running. The
 * images it asks for again are checked against the principal's quotas like a new batch of that
 * many: a canceled batch retried later must not spend past the day's cap.
 */
export async function retryBatch(principal: Principal, batchId: string): Promise<{ batch: BatchView; requeuedCount: number }> {
  const { store, queue } = await getApp().batches();
  const batch = await requireBatch(store, batchId, principal);
  return oneAtATimeFor(ownerIdOf(principal) ?? '', async () => {
    const again = batch.items.filter((item) => item.status === 'failed' || item.status === 'canceled').length;
    if (isFinishedBatchStatus(batch.status) && again > 0) {
      const { estimatedImageCostUsd } = batch.params;
      await enforceQuota(store.batches, principal, {
        providerId: batch.providerId,
        modelId: batch.modelId,
        images: again,
        ...(estimatedImageCostUsd === undefined ? {} : { estimatedImageCostUsd }),
      });
    }
    try {
      const requeuedCount = await queue.retry(batchId);
      return { batch: await viewOf(store, await requireBatch(store, batchId)), requeuedCount };
    } catch (error) {
      if (storeErrorKindOf(error) === 'conflict') {
        throw new StoreError('conflict', 'The batch is still running: wait for it to end, or cancel it, before retrying its failed images.');
      }
      throw error;
    }
  });
}

/** `?limit=&before=` and the filters (`q`, `status`, `provider`, `model`, `from`, `to`, `favorites`) of `GET /api/batches`, validated. */
export function parseListBatchesQuery(url: URL): ListBatchesQuery {
  const limitText = url.searchParams.get('limit');
  const before = url.searchParams.get('before');
  const query: ListBatchesQuery = parseBatchFilters(url.searchParams);
  if (limitText !== null) {
    const limit = /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= maxBatchPageSize)) {
      throw new InputError(`limit must be a whole number from 1 to ${maxBatchPageSize}.`, { field: 'limit' });
    }
    query.limit = limit;
  }
  if (before !== null) {
    if (before === '' || before.length > maxCursorLength) {
      throw new InputError('before must be the nextCursor of a previous page (a batch id).', { field: 'before' });
    }
    query.before = before;
  }
  return query;
}

const noSuchBatch = 'No batch with this id.';

/**
 * The batch, when it exists and the principal may see it: someone else's batch is "no batch with
 * this id" too, so ids cannot be probed.
 */
export async function requireBatch(store: Store, batchId: string, principal?: Principal): Promise<BatchWithItems> {
  const batch = await store.batches.getBatch(batchId);
  if (!batch || (principal !== undefined && !canSee(principal, batch.ownerId))) throw new StoreError('not_found', noSuchBatch);
  return batch;
}

/**
 * The store names the id it did not find; the API says what every other route says. Found by the
 * route fuzzer: cancel and DELETE echoed a 20,000-character id back in their 404.
 */
function rethrowNotFound(error: unknown): never {
  if (storeErrorKindOf(error) === 'not_found') throw new StoreError('not_found', noSuchBatch);
  throw error;
}

/** The batch's view, with its webhook deliveries when it has webhook URLs (one query more only for those). */
export async function viewOf(store: Store, batch: BatchRecord | BatchWithItems): Promise<BatchView> {
  return toBatchView(batch, batch.params.webhookUrls ? await store.batches.listWebhookDeliveries(batch.id) : undefined);
}

async function forgetImage(store: Store, image: ImageRef | undefined): Promise<void> {
  if (image) await store.blobs.delete(image.imageId).catch(() => undefined);
}
