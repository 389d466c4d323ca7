import { z } from 'zod';
import type { BatchItemView, BatchView } from '@/lib/core';
import { StoreError } from '@/lib/store';
import type { Principal } from './accounts';
import { requireBatch } from './batches';
import { toBatchView, toItemView } from './batch-view';
import { getApp } from './create-app';
import { storeErrorKindOf } from './error-kinds';
import { InputError } from './input-error';
import { logEvent } from './logger';
import { readJsonBody } from './request-body';

/**
 * One image of a batch, by the item's index: mark it as a favorite, or delete it. Both check the
 * batch like every batch route (someone else's batch is "no batch with this id").
 */

const maxIndexDigits = 6;

/** The `:index` of `/api/batches/:id/items/:index`: a whole number from 1. */
export function parseItemIndex(text: string): number {
  const index = /^\d+$/.test(text) && text.length <= maxIndexDigits ? Number(text) : Number.NaN;
  if (!(index >= 1)) throw new InputError('The item index must be a whole number from 1 (the image’s position in its batch).', { field: 'index' });
  return index;
}

const favoriteBodySchema = z.object({ favorite: z.boolean() }, { error: 'Send { "favorite": true } or { "favorite": false }.' });

/** `{ "favorite": boolean }`. */
export async function parseFavoriteBody(request: Request): Promise<boolean> {
  const parsed = favoriteBodySchema.safeParse(await readJsonBody(request, 4 * 1024));
  if (!parsed.success) throw new InputError('Send { "favorite": true } or { "favorite": false }.', { field: 'favorite' });
  return parsed.data.favorite;
}

/** Marks the image as a favorite, or not; answers the item as it now stands. A 409 when the item has no image. */
export async function setFavorite(principal: Principal, batchId: string, index: number, isFavorite: boolean): Promise<BatchItemView> {
  const { store } = await getApp().batches();
  const batch = await requireBatch(store, batchId, principal);
  if (!batch.items.some((item) => item.index === index)) throw noSuchItem();
  try {
    return toItemView(await store.batches.setItemFavorite({ batchId, index, isFavorite }));
  } catch (error) {
    throw friendlier(error, 'This image has no picture to keep: only a made image can be a favorite.');
  }
}

/**
 * Deletes one image of a finished batch: its file goes, the item stays (succeeded, with
 * `imageDeletedAt`). Answers the batch as it now stands. A 409 while the batch runs.
 */
export async function deleteImage(principal: Principal, batchId: string, index: number): Promise<BatchView> {
  const { store } = await getApp().batches();
  const batch = await requireBatch(store, batchId, principal);
  if (!batch.items.some((item) => item.index === index)) throw noSuchItem();
  let imageIds: string[];
  try {
    ({ imageIds } = await store.batches.deleteItemImage(batchId, index));
  } catch (error) {
    const isRunning = batch.status === 'queued' || batch.status === 'running';
    throw friendlier(
      error,
      isRunning ? 'The batch is still running: wait for it to end (or cancel it) before deleting one of its images.' : 'This item has no image to delete.',
    );
  }
  // The row no longer points at the file: a crash here leaves an unreachable file, never a broken image.
  for (const imageId of imageIds) await store.blobs.delete(imageId).catch(() => undefined);
  if (imageIds.length > 0) logEvent('image-deleted', { batchId, index });
  return toBatchView(await requireBatch(store, batchId));
}

function noSuchItem(): StoreError {
  return new StoreError('not_found', 'This batch has no image at that index.');
}

/** A store conflict in words that name no internal id; other errors pass. */
function friendlier(error: unknown, conflictMessage: string): unknown {
  const kind = storeErrorKindOf(error);
  if (kind === 'conflict') return new StoreError('conflict', conflictMessage);
  if (kind === 'not_found') return noSuchItem();
  return error;
}
