import { z } from 'zod';
import { extensionByMimeType, parseImageId, StoreError, type ImageItem } from '@/lib/store';
import { canSee, type Principal } from './accounts';
import { createImageZip, zipResponse, type ZipImageEntry } from './batch-zip';
import { withoutUndefined } from '@/lib/core';
import { diffusionControlsOf, seedOfItem } from './batch-view';
import { getApp } from './create-app';
import { InputError } from './input-error';
import { readJsonBody } from './request-body';

/** Images one ZIP may hold: a selection on the page, not an export of everything (a batch has its own ZIP). */
export const maxZipImages = 500;

const zipBodySchema = z.object({ images: z.array(z.string()).min(1).max(maxZipImages) });

/** `{ "images": [imageId, …] }`: 1 to 500 ids of made images, each one this store issues. Repeats count once. */
export async function parseImagesZipBody(request: Request): Promise<string[]> {
  const parsed = zipBodySchema.safeParse(await readJsonBody(request, 64 * 1024));
  if (!parsed.success) {
    throw new InputError(`Send { "images": [imageId, …] }: 1 to ${maxZipImages} image ids (the imageId of each item).`, { field: 'images' });
  }
  const imageIds = [...new Set(parsed.data.images)];
  imageIds.forEach((imageId, position) => {
    try {
      parseImageId(imageId);
    } catch {
      throw new InputError(`images[${position}] is not an image id.`, { field: 'images' });
    }
  });
  return imageIds;
}

/** `image-1a2b3c4d-003.png`: the batch's short id and the item's index, so a batch's images sort together and in order. */
export function selectionEntryName({ batch, item }: ImageItem): string {
  const width = Math.max(3, String(batch.total).length);
  const extension = extensionByMimeType[item.image?.mimeType ?? ''] ?? 'bin';
  return `image-${batch.id.slice(0, 8)}-${String(item.index).padStart(width, '0')}.${extension}`;
}

/** What `manifest.json` says about each image of a selection: where it comes from and how it was made. */
export function toSelectionManifest(found: readonly ImageItem[], createdAt: Date) {
  return {
    createdAt: createdAt.toISOString(),
    count: found.length,
    images: found.map((entry) => {
      const { batch, item } = entry;
      return {
        file: selectionEntryName(entry),
        imageId: item.image?.imageId ?? null,
        mimeType: item.image?.mimeType ?? null,
        batchId: batch.id,
        index: item.index,
        prompt: item.prompt,
        provider: batch.providerId,
        model: batch.modelId,
        isDemo: batch.isDemo,
        mode: batch.mode,
        aspectRatio: batch.params.aspectRatio ?? null,
        size: batch.params.size ?? null,
        quality: batch.params.quality ?? null,
        outputFormat: batch.params.outputFormat ?? null,
        background: batch.params.background ?? null,
        ...diffusionControlsOf(batch.params),
        ...withoutUndefined({ seed: seedOfItem(item, batch.params.seed) }),
        batchCreatedAt: batch.createdAt,
        endedAt: item.endedAt ?? null,
        costUsd: item.costUsd ?? null,
        isFavorite: item.isFavorite === true,
      };
    }),
  };
}

/**
 * `POST /api/zip`: the chosen images (from any of the principal's batches) and `manifest.json`, as
 * one streamed ZIP, in the order asked. Every id is checked before a byte is sent: one that names
 * no image this principal may see (unknown, deleted, or someone else's) refuses the whole request
 * with the 404 the image route gives, so a ZIP never silently lacks an image asked for, and ids
 * cannot be probed by what a manifest leaves out.
 */
export async function respondWithImagesZip(request: Request, principal: Principal): Promise<Response> {
  const { store } = await getApp().batches();
  const imageIds = await parseImagesZipBody(request);
  const found = new Map((await store.batches.findImageItems(imageIds)).map((entry) => [entry.item.image?.imageId, entry]));
  const chosen = imageIds.map((imageId, position) => {
    const entry = found.get(imageId);
    if (!entry || !canSee(principal, entry.batch.ownerId)) throw new StoreError('not_found', `No image with the id in images[${position}].`);
    return entry;
  });
  const now = new Date();
  const entries = chosen.map((entry): ZipImageEntry => ({
    name: selectionEntryName(entry),
    image: entry.item.image!,
    mtime: new Date(entry.item.endedAt ?? entry.batch.updatedAt),
  }));
  const zip = createImageZip({ manifest: toSelectionManifest(chosen, now), manifestTime: now, entries, blobs: store.blobs, logFields: { selection: String(entries.length) } });
  return zipResponse(request, zip, `images-${now.toISOString().slice(0, 10)}.zip`);
}
