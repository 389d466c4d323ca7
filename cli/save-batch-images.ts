import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchView, ProgressEvent } from '@/lib/core';
import type { BatchClient } from './batch-client';
import { outputFileName } from './output-file-name';
import type { ProgressReporter } from './progress-reporter';

export interface SaveBatchImagesOptions {
  client: BatchClient;
  /** The batch as it stood before following (its items name each image's prompt). */
  batch: BatchView;
  /** Follow the events after this one. */
  afterSequence: number;
  outDirectory: string;
  reporter: ProgressReporter;
  /** Stops following early (a second Ctrl-C); the images written so far stay. */
  signal: AbortSignal;
  /**
   * Resume: a file already under an image's name is that image, written by the earlier run, and
   * is kept. A new batch replaces what an older batch left under the same name.
   */
  keepsExistingFiles: boolean;
}

export interface SavedBatch {
  /** The batch as it ended. */
  batch: BatchView;
  /** The written file of each succeeded image, by 1-based index. */
  files: Map<number, string>;
}

/**
 * Follows the batch to its end and writes each image to `outDirectory` as soon as it is reported,
 * then writes any succeeded image that has no file there yet (the images of an earlier run, when
 * resuming).
 */
export async function saveBatchImages({ client, batch, afterSequence, outDirectory, reporter, signal, keepsExistingFiles }: SaveBatchImagesOptions): Promise<SavedBatch> {
  await mkdir(outDirectory, { recursive: true });
  const promptByIndex = new Map((batch.items ?? []).map((item) => [item.index, item.prompt]));
  const files = new Map<number, string>();
  let writes = Promise.resolve();
  let writeError: unknown;

  const save = (index: number, imageId: string) => {
    writes = writes.then(async () => {
      if (files.has(index)) return;
      try {
        const image = await client.readImage(imageId);
        const path = join(outDirectory, outputFileName(index, batch.total, promptByIndex.get(index) ?? batch.prompt, image.mimeType));
        await writeWhole(path, image.bytes, keepsExistingFiles);
        files.set(index, path);
        reporter.saved(index, path);
      } catch (error) {
        writeError ??= error;
      }
    });
  };
  const onEvent = (event: ProgressEvent) => {
    reporter.update(event);
    if (event.type === 'item-end' && event.status === 'succeeded' && event.imageId) save(event.index, event.imageId);
  };

  await client.follow(batch.id, afterSequence, onEvent, signal);
  await writes;
  const ended = await client.get(batch.id);
  for (const item of ended.items ?? []) {
    if (item.status === 'succeeded' && item.imageId && !item.imageDeletedAt) save(item.index, item.imageId);
  }
  await writes;
  if (writeError !== undefined) throw writeError;
  return { batch: ended, files };
}

/** Writes through a temporary name, so that a file under the final name is always whole. */
async function writeWhole(path: string, bytes: Uint8Array, keepsExistingFile: boolean): Promise<void> {
  if (keepsExistingFile && (await stat(path).then(() => true, () => false))) return;
  const temporary = `${path}.partial`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}
