import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchRuntime, BatchView } from '@/lib/server';
import { readJson, routeContext, useBatchTestApp, waitForBatchEnd, waitUntil } from '@/lib/server/testing/batch-test-helpers';
import { readZip } from '@/lib/server/testing/read-zip';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { POST as createBatch } from '../../route';
import { GET } from './route';

afterEach(() => vi.unstubAllEnvs());

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A batch whose every item succeeded, written through the store as the worker would: `count` PNG files of `bytes` each (noise). */
async function storeSucceededBatch(store: BatchRuntime['store'], count: number, bytes: number) {
  const created = await store.batches.createBatch({
    prompt: 'many images',
    mode: 'text-to-image',
    providerId: 'demo',
    modelId: 'demo-shapes-v1',
    params: { numberOfImages: count },
    items: Array.from({ length: count }, () => ({ prompt: 'many images' })),
  });
  const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const digests: string[] = [];
  for (let index = 1; index <= count; index += 1) {
    const data = Buffer.concat([pngSignature, randomBytes(bytes - pngSignature.length)]);
    digests.push(sha256(data));
    const image = await store.blobs.put(data, 'image/png');
    await store.batches.startItem({ batchId: created.id, index });
    await store.batches.finishItem({ batchId: created.id, index, result: { status: 'succeeded', image }, attemptsInRun: 1 });
  }
  return { batch: (await store.batches.getBatch(created.id))!, digests };
}

const download = (batchId: string, signal?: AbortSignal) =>
  GET(new Request(`http://127.0.0.1/api/batches/${batchId}/zip`, { signal }), routeContext(batchId));

const hasUnzip = (() => {
  try {
    execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('GET /api/batches/:id/zip', () => {
  it('holds every succeeded image as image-NNN and a manifest with each item’s prompt, status, error and file', async () => {
    const { runtime, dataDirectory: directory } = await useBatchTestApp({ DEMO_FAIL_INDEXES: '2' });
    const created = await readJson<BatchView>(await createBatch(jsonRequest('/api/batches', { prompt: 'zip me', numberOfImages: 3 })));
    await waitForBatchEnd(await runtime(), created.id);

    const response = await download(created.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="batch-${created.id.slice(0, 8)}.zip"`);
    const zip = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(zip.length));

    const entries = readZip(zip);
    expect(entries.map((entry) => entry.name)).toEqual(['manifest.json', 'image-001.png', 'image-003.png']);
    expect(entries.every((entry) => entry.method === 0 && entry.isCrcValid)).toBe(true);
    const { store } = await runtime();
    const batch = (await store.batches.getBatch(created.id))!;
    expect(entries[1]!.data.equals(await readFile(join(directory, 'images', batch.items[0]!.image!.imageId)))).toBe(true);
    const manifest = JSON.parse(entries[0]!.data.toString('utf8'));
    expect(manifest).toMatchObject({ batchId: created.id, prompt: 'zip me', status: 'partial', total: 3, succeeded: 2, failed: 1, isDemo: true, costUsd: 0 });
    expect(manifest.items).toEqual([
      { index: 1, prompt: 'zip me', status: 'succeeded', error: null, file: 'image-001.png', imageId: batch.items[0]!.image!.imageId, mimeType: 'image/png', usage: null, costUsd: 0 },
      {
        index: 2,
        prompt: 'zip me',
        status: 'failed',
        error: { kind: 'safety_blocked', message: 'Blocked by the safety filter', details: 'DEMO_FAIL_INDEXES includes 2' },
        file: null,
        imageId: null,
        mimeType: null,
        usage: null,
        costUsd: null,
      },
      { index: 3, prompt: 'zip me', status: 'succeeded', error: null, file: 'image-003.png', imageId: batch.items[2]!.image!.imageId, mimeType: 'image/png', usage: null, costUsd: 0 },
    ]);
  });

  it('404 for an unknown batch', async () => {
    await useBatchTestApp();
    const response = await download('00000000-0000-4000-8000-000000000000');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/No batch/) });
  });

  it('a 200-image batch of 1 MB images: a valid ZIP holding the manifest and every image, byte for byte', { timeout: 120_000 }, async () => {
    const { runtime, dataDirectory } = await useBatchTestApp();
    const imageCount = 200;
    const imageBytes = 1024 * 1024;
    const { batch, digests } = await storeSucceededBatch((await runtime()).store, imageCount, imageBytes);

    // Written to disk as it comes, as a browser would (the ZIP's memory is measured by `npm run bench`).
    const zipPath = join(dataDirectory, 'download.zip');
    const file = await open(zipPath, 'w');
    let received = 0;
    const response = await download(batch.id);
    const reader = response.body!.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      await file.write(chunk.value);
      received += chunk.value.byteLength;
    }
    await file.close();

    expect(received).toBeGreaterThan(imageCount * imageBytes);
    expect(response.headers.get('content-length')).toBe(String(received));
    const entries = readZip(await readFile(zipPath));
    expect(entries.map((entry) => entry.name)).toEqual([
      'manifest.json',
      ...Array.from({ length: imageCount }, (_, offset) => `image-${String(offset + 1).padStart(3, '0')}.png`),
    ]);
    expect(entries.every((entry) => entry.method === 0 && entry.isCrcValid)).toBe(true);
    expect(entries.slice(1).map((entry) => entry.size)).toEqual(Array(imageCount).fill(imageBytes));
    expect(entries.slice(1).map((entry) => sha256(entry.data))).toEqual(digests);
    const manifest = JSON.parse(entries[0]!.data.toString('utf8'));
    expect(manifest).toMatchObject({ batchId: batch.id, total: imageCount, succeeded: imageCount, failed: 0 });
    expect(manifest.items).toHaveLength(imageCount);
    expect(manifest.items[199]).toMatchObject({ index: 200, status: 'succeeded', file: 'image-200.png', imageId: batch.items[199]!.image!.imageId });
    if (hasUnzip) execFileSync('unzip', ['-tq', zipPath], { stdio: 'pipe' });
  });

  it('streams: the first bytes go out before the later images are read, and each is read only as the client takes the bytes', { timeout: 60_000 }, async () => {
    const { runtime, dataDirectory } = await useBatchTestApp({ LOG_LEVEL: 'silent' });
    const imageCount = 40;
    const imageBytes = 1024 * 1024;
    const { batch } = await storeSucceededBatch((await runtime()).store, imageCount, imageBytes);

    const response = await download(batch.id);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    // The client pauses: an archive built ahead (in memory, or read on without backpressure) would
    // have read every image by now. Then the second half of the images leaves the disk.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const keptCount = imageCount / 2;
    await Promise.all(batch.items.slice(keptCount).map((item) => rm(join(dataDirectory, 'images', item.image!.imageId))));

    let received = first.value!.byteLength;
    const readToEnd = async () => {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += chunk.value.byteLength;
    };
    // Not yet read when they went: the download fails at the first of them, after the first half went out whole.
    await expect(readToEnd()).rejects.toThrow();
    expect(received).toBeGreaterThan(keptCount * imageBytes);
    expect(received).toBeLessThan((keptCount + 1) * imageBytes + 64 * 1024);
  });

  it('an image file missing on disk fails the download visibly instead of sending a broken archive as complete', async () => {
    const { runtime, dataDirectory } = await useBatchTestApp({ LOG_LEVEL: 'silent' });
    const created = await readJson<BatchView>(await createBatch(jsonRequest('/api/batches', { prompt: 'gone', numberOfImages: 2 })));
    await waitForBatchEnd(await runtime(), created.id);
    const batch = (await (await runtime()).store.batches.getBatch(created.id))!;
    await rm(join(dataDirectory, 'images', batch.items[1]!.image!.imageId));

    const response = await download(created.id);
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
  });

  it.runIf(existsSync('/proc/self/fd'))('a client that hangs up mid-download leaves no image file open', async () => {
    const { runtime, dataDirectory } = await useBatchTestApp();
    const { batch } = await storeSucceededBatch((await runtime()).store, 3, 4 * 1024 * 1024);
    // The process's descriptors that are image files of this test's store (not the database, sockets, …).
    const openImageFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(join(dataDirectory, 'images'));
        } catch {
          return false; // closed meanwhile
        }
      }).length;
    // The count sees an image file this process holds open (so a pass below is not a blind one).
    const imagesDirectory = join(dataDirectory, 'images');
    const someImage = readdirSync(imagesDirectory, { recursive: true, withFileTypes: true }).find((entry) => entry.isFile())!;
    const held = await open(join(someImage.parentPath, someImage.name));
    expect(openImageFiles()).toBe(1);
    await held.close();
    expect(openImageFiles()).toBe(0);

    const controller = new AbortController();
    const response = await download(batch.id, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    // Closing is asynchronous: wait for it (a file left open keeps this at 1 and times out).
    await waitUntil(() => openImageFiles() === 0, 5_000);
  });
});
