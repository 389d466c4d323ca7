import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from './blob-store';
import { createFileBlobStore } from './file-blob-store';
import { isStoreError } from './store-error';

describe('createFileBlobStore', () => {
  let directory: string;
  let blobs: BlobStore;
  let png: Buffer;

  beforeEach(async () => {
    directory = join(await mkdtemp(join(tmpdir(), 'imagegen-blobs-')), 'images');
    blobs = await createFileBlobStore({ directory });
    png = await sharp({ create: { width: 2, height: 2, channels: 4, background: '#ff000080' } }).png().toBuffer();
  });

  afterEach(async () => {
    await rm(join(directory, '..'), { recursive: true, force: true });
  });

  async function kindOf(promise: Promise<unknown>) {
    try {
      await promise;
    } catch (error) {
      return isStoreError(error) ? error.kind : error;
    }
    return 'resolved';
  }

  it('stores bytes under a new id and streams them back with their size and type', async () => {
    const jpeg = await sharp(png).jpeg().toBuffer();

    const reference = await blobs.put(jpeg, 'image/jpeg');
    const opened = await blobs.open(reference.imageId);

    expect(reference).toEqual({ imageId: expect.stringMatching(/\.jpg$/), mimeType: 'image/jpeg', byteLength: jpeg.length });
    expect(opened).toMatchObject(reference);
    expect(await buffer(opened.stream)).toEqual(jpeg);
    expect(await readdir(directory)).toEqual([reference.imageId]);
  });

  it('leaves no temporary file behind and writes nothing but the final file', async () => {
    const references = await Promise.all(
      Array.from({ length: 20 }, (_, position) => blobs.put(Buffer.from([0xff, 0xd8, 0xff, position]), 'image/jpeg')),
    );
    expect((await readdir(directory)).sort()).toEqual(references.map((reference) => reference.imageId).sort());
  });

  it('embeds the text metadata in PNGs', async () => {
    const reference = await blobs.put(png, 'image/png', { prompt: 'a red square', parameters: 'a red square\nModel: demo-1' });
    const stored = await readFile(join(directory, reference.imageId));

    expect(reference.byteLength).toBe(stored.length);
    expect((await sharp(stored).metadata()).comments).toEqual([
      { keyword: 'prompt', text: 'a red square' },
      { keyword: 'parameters', text: 'a red square\nModel: demo-1' },
    ]);
  });

  it('trusts the bytes over the declared type, and keeps a PNG it cannot edit as received', async () => {
    const jpeg = await sharp(png).jpeg().toBuffer();
    const mislabelled = await blobs.put(jpeg, 'image/png', { prompt: 'x' });
    expect(mislabelled.mimeType).toBe('image/jpeg');
    expect(await readFile(join(directory, mislabelled.imageId))).toEqual(jpeg);

    const truncated = png.subarray(0, 30);
    const kept = await blobs.put(truncated, 'image/png', { prompt: 'x' });
    expect(kept).toMatchObject({ mimeType: 'image/png', byteLength: 30 });
    expect(await readFile(join(directory, kept.imageId))).toEqual(truncated);

    const unknown = await blobs.put(Buffer.from('not an image'), 'text/plain');
    expect(unknown.imageId).toMatch(/\.bin$/);
    expect((await blobs.open(unknown.imageId)).mimeType).toBe('application/octet-stream');
  });

  it('rejects ids that are not its own before touching the disk, and reports missing images', async () => {
    await writeFile(join(directory, '..', 'secret.txt'), 'secret');
    for (const imageId of ['../secret.txt', '/etc/passwd', 'a/b.png', 'x.png\0', '..']) {
      expect(await kindOf(blobs.open(imageId)), imageId).toBe('invalid_id');
      expect(await kindOf(blobs.delete(imageId)), imageId).toBe('invalid_id');
    }
    expect(await kindOf(blobs.open('00000000-0000-4000-8000-000000000000.png'))).toBe('not_found');
  });

  it('deletes an image once', async () => {
    const { imageId } = await blobs.put(png, 'image/png');
    expect(await blobs.delete(imageId)).toBe(true);
    expect(await blobs.delete(imageId)).toBe(false);
    expect(await kindOf(blobs.open(imageId))).toBe('not_found');
  });

  it('removes temporary files a crash left behind, but not ones another writer may still be using', async () => {
    const stale = join(directory, '.tmp-stale');
    const fresh = join(directory, '.tmp-fresh');
    await writeFile(stale, 'half an image');
    await writeFile(fresh, 'being written');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);

    await createFileBlobStore({ directory });

    expect(await readdir(directory)).toEqual(['.tmp-fresh']);
  });

  it('the sole process on its data directory removes every temporary file at open, 0-byte ones of a kill included', async () => {
    const { openStore } = await import('./open-store');
    const dataDirectory = join(directory, 'data');
    const images = join(dataDirectory, 'images');
    await (await openStore({ dataDirectory })).close();
    await writeFile(join(images, '.tmp-killed-mid-write'), '');
    await writeFile(join(images, '.tmp-just-now'), 'partial');

    await (await openStore({ dataDirectory, isSoleProcess: true })).close();

    expect(await readdir(images)).toEqual([]);
  });
});
