import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore, OpenedImage } from './blob-store';
import { createImageId, parseImageId } from './image-id';
import { StoreError } from './store-error';
import { toStoredImage } from './stored-image';

export interface FileBlobStoreOptions {
  /** Where the image files live, e.g. `<DATA_DIR>/images`; created when missing. */
  directory: string;
  /**
   * Temporary files older than this, left by a crash in the middle of a write, are removed when
   * the store is created. Younger ones may belong to another process writing right now.
   * @default 3600000 (1 hour)
   */
  staleTemporaryFileAgeMs?: number;
}

/** Temporary names start with a dot, so they can never be mistaken for (or served as) an image id. */
const temporaryPrefix = '.tmp-';

/** What a write probe writes: about the smallest image file, so a disk that takes it takes little else. */
const probeBytes = new Uint8Array(4 * 1024);

/**
 * Images as files, one per image, named by their id. `put` writes a temporary file, flushes it to
 * disk, renames it to its final name (atomic: a reader sees the whole file or none) and flushes
 * the directory entry, all before it resolves.
 */
export async function createFileBlobStore(options: FileBlobStoreOptions): Promise<BlobStore> {
  const { directory, staleTemporaryFileAgeMs = 3_600_000 } = options;
  await mkdir(directory, { recursive: true });
  await removeStaleTemporaryFiles(directory, staleTemporaryFileAgeMs);

  return {
    async put(bytes, declaredMimeType, metadata) {
      const { bytes: stored, mimeType } = toStoredImage(bytes, declaredMimeType, metadata);
      const imageId = createImageId(mimeType);
      const temporaryPath = join(directory, `${temporaryPrefix}${randomUUID()}`);
      try {
        await writeAndFlush(temporaryPath, stored);
        await rename(temporaryPath, join(directory, imageId));
      } catch (error) {
        await unlink(temporaryPath).catch(() => undefined);
        throw error;
      }
      await flushDirectory(directory);
      return { imageId, mimeType, byteLength: stored.byteLength };
    },

    async open(imageId): Promise<OpenedImage> {
      const { mimeType } = parseImageId(imageId);
      const handle = await open(join(directory, imageId), 'r').catch((error: unknown) => {
        throw isMissing(error) ? new StoreError('not_found', 'No such image', { cause: error }) : error;
      });
      try {
        const { size } = await handle.stat();
        return { imageId, mimeType, byteLength: size, stream: handle.createReadStream() };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    async checkWritable() {
      const probePath = join(directory, `${temporaryPrefix}probe-${randomUUID()}`);
      try {
        await writeAndFlush(probePath, probeBytes);
      } finally {
        await unlink(probePath).catch(() => undefined);
      }
    },

    async delete(imageId) {
      parseImageId(imageId);
      try {
        await unlink(join(directory, imageId));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
  };
}

async function writeAndFlush(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable: the new directory entry itself must reach the disk. */
async function flushDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for flushing; NTFS journals the rename instead.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeStaleTemporaryFiles(directory: string, maximumAgeMs: number): Promise<void> {
  const oldestKeptMs = Date.now() - maximumAgeMs;
  for (const name of await readdir(directory)) {
    if (!name.startsWith(temporaryPrefix)) continue;
    const path = join(directory, name);
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Number.POSITIVE_INFINITY }));
    if (mtimeMs < oldestKeptMs) await unlink(path).catch(() => undefined);
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
