import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { extensionByMimeType, type BatchWithItems, type BlobStore, type ImageRef, type ItemRecord } from '@/lib/store';
import { withoutUndefined } from '@/lib/core';
import { diffusionControlsOf, seedOfItem } from './batch-view';
import type { Principal } from './accounts';
import { requireBatch } from './batches';
import { getApp } from './create-app';
import { logEvent } from './logger';

/** `image-001.png`: the item's index, zero-padded to at least three digits so names sort in order. */
export function zipEntryName(item: ItemRecord, total: number): string | undefined {
  if (item.status !== 'succeeded' || !item.image) return undefined;
  const width = Math.max(3, String(total).length);
  return `image-${String(item.index).padStart(width, '0')}.${extensionByMimeType[item.image.mimeType] ?? 'bin'}`;
}

/** What `manifest.json` in the ZIP says about the batch and each of its items. */
export function toZipManifest(batch: BatchWithItems) {
  return {
    batchId: batch.id,
    createdAt: batch.createdAt,
    prompt: batch.prompt,
    prompts: batch.params.prompts ?? [batch.prompt],
    mode: batch.mode,
    provider: batch.providerId,
    model: batch.modelId,
    isDemo: batch.isDemo,
    aspectRatio: batch.params.aspectRatio ?? null,
    size: batch.params.size ?? null,
    quality: batch.params.quality ?? null,
    outputFormat: batch.params.outputFormat ?? null,
    background: batch.params.background ?? null,
    ...diffusionControlsOf(batch.params),
    maxCostUsd: batch.params.maxCostUsd ?? null,
    costUsd: batch.costUsd,
    status: batch.status,
    total: batch.total,
    succeeded: batch.succeeded,
    failed: batch.failed,
    canceled: batch.canceled,
    items: batch.items.map((item) => ({
      index: item.index,
      prompt: item.prompt,
      ...withoutUndefined({ seed: seedOfItem(item, batch.params.seed) }),
      status: item.status,
      error: item.error ? { kind: item.error.kind, message: item.error.message, details: item.error.details ?? null } : null,
      file: zipEntryName(item, batch.total) ?? null,
      imageId: item.image?.imageId ?? null,
      mimeType: item.image?.mimeType ?? null,
      usage: item.usage ?? null,
      costUsd: item.costUsd ?? null,
      ...(item.imageDeletedAt ? { imageDeletedAt: item.imageDeletedAt } : {}),
    })),
  };
}

/**
 * `GET /api/batches/:id/zip`: every succeeded image (`image-001.png`, …) and `manifest.json`, as a
 * streamed ZIP. Entries are stored, not deflated (images are compressed already), and each image
 * file is opened only when the archive reaches it and streamed through with backpressure, so memory
 * stays flat whatever the batch's size; the total size is known up front (Content-Length).
 */
export async function respondWithBatchZip(request: Request, batchId: string, principal: Principal): Promise<Response> {
  const { store } = await getApp().batches();
  const batch = await requireBatch(store, batchId, principal);
  return zipResponse(request, createBatchZip(batch, store.blobs), `batch-${batch.id.slice(0, 8)}.zip`);
}

export interface BatchZip {
  /** The archive's bytes; destroying it closes any image file it has open. */
  stream: Readable;
  /** The archive's exact size, when every entry's size is known (always, for stored images). */
  byteLength?: number;
}

export function createBatchZip(batch: BatchWithItems, blobs: BlobStore): BatchZip {
  const entries = batch.items.flatMap((item): ZipImageEntry[] => {
    const name = zipEntryName(item, batch.total);
    return name && item.image ? [{ name, image: item.image, mtime: new Date(item.endedAt ?? batch.updatedAt) }] : [];
  });
  return createImageZip({ manifest: toZipManifest(batch), manifestTime: new Date(batch.updatedAt), entries, blobs, logFields: { batchId: batch.id } });
}

/** One image file of a ZIP. */
export interface ZipImageEntry {
  /** The file's name in the archive. */
  name: string;
  image: ImageRef;
  mtime: Date;
}

export interface ImageZipOptions {
  /** Written first, as `manifest.json`. */
  manifest: unknown;
  manifestTime: Date;
  entries: readonly ZipImageEntry[];
  blobs: BlobStore;
  /** Said with a `zip-error` in the log. */
  logFields?: Record<string, string>;
}

/**
 * `manifest.json`, then each image, as a streamed ZIP: entries are stored, not deflated (images are
 * compressed already), and each image file is opened only when the archive reaches it and streamed
 * through with backpressure, so memory stays flat whatever the count.
 */
export function createImageZip({ manifest, manifestTime, entries, blobs, logFields = {} }: ImageZipOptions): BatchZip {
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json', { compress: false, mtime: manifestTime });

  const output = zip.outputStream as Readable;
  zip.on('error', (error: Error) => {
    // An image file gone missing or changed under us: the download fails visibly (truncated), never silently.
    logEvent('zip-error', { ...logFields, message: error.message });
    output.destroy(error);
  });
  const openStreams = new Set<Readable>();
  for (const { name, image, mtime } of entries) {
    const { imageId, byteLength } = image;
    zip.addReadStreamLazy(name, { compress: false, size: byteLength, mtime }, (callback) => {
      // The client has gone: leave the rest of the archive unmade (and its files unopened).
      if (output.destroyed) return;
      blobs.open(imageId).then(
        ({ stream }) => {
          if (output.destroyed) {
            stream.destroy();
            return;
          }
          openStreams.add(stream);
          stream.once('close', () => openStreams.delete(stream));
          callback(null, stream);
        },
        (error: unknown) => callback(error, undefined as never),
      );
    });
  }

  let byteLength: number | undefined;
  zip.end(undefined, ((totalSize: number) => {
    if (totalSize >= 0) byteLength = totalSize;
  }) as () => void);

  // A client that goes away mid-download must not leave an image file open.
  output.once('close', () => openStreams.forEach((stream) => stream.destroy()));
  return { stream: output, byteLength };
}

/** The response for a ZIP: streamed, its size known up front, stopped when the client hangs up. */
export function zipResponse(request: Request, { stream, byteLength }: BatchZip, fileName: string): Response {
  request.signal.addEventListener('abort', () => stream.destroy(), { once: true });
  const headers: Record<string, string> = {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Cache-Control': 'no-store',
  };
  if (byteLength !== undefined) headers['Content-Length'] = String(byteLength);
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { headers });
}
