import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { readZip } from '@/lib/server/testing/read-zip';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { POST as createBatch } from '../../route';
import { GET } from './route';

afterEach(() => vi.unstubAllEnvs());

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
    expect(manifest).toMatchObject({ batchId: created.id, prompt: 'zip me', status: 'partial', total: 3, succeeded: 2, failed: 1, isDemo: true });
    expect(manifest.items).toEqual([
      { index: 1, prompt: 'zip me', status: 'succeeded', error: null, file: 'image-001.png', imageId: batch.items[0]!.image!.imageId, mimeType: 'image/png' },
      {
        index: 2,
        prompt: 'zip me',
        status: 'failed',
        error: { kind: 'safety_blocked', message: 'Blocked by the safety filter', details: 'DEMO_FAIL_INDEXES includes 2' },
        file: null,
        imageId: null,
        mimeType: null,
      },
      { index: 3, prompt: 'zip me', status: 'succeeded', error: null, file: 'image-003.png', imageId: batch.items[2]!.image!.imageId, mimeType: 'image/png' },
    ]);
  });

  it('404 for an unknown batch', async () => {
    await useBatchTestApp();
    const response = await download('00000000-0000-4000-8000-000000000000');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/No batch/) });
  });

  it('streams a 200-image batch with flat memory: a valid ZIP, every image, the manifest', { timeout: 120_000 }, async () => {
    const { runtime, dataDirectory } = await useBatchTestApp();
    const { store } = await runtime();
    const imageCount = 200;
    const imageBytes = 1024 * 1024;
    // Written through the store as the worker would, with real (1 MB) files: 200 MB in all.
    const batch = await store.batches.createBatch({
      prompt: 'two hundred',
      mode: 'text-to-image',
      providerId: 'demo',
      modelId: 'demo-shapes-v1',
      params: { numberOfImages: imageCount },
      items: Array.from({ length: imageCount }, () => ({ prompt: 'two hundred' })),
    });
    const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (let index = 1; index <= imageCount; index += 1) {
      const image = await store.blobs.put(Buffer.concat([pngSignature, randomBytes(imageBytes - pngSignature.length)]), 'image/png');
      await store.batches.startItem({ batchId: batch.id, index });
      await store.batches.finishItem({ batchId: batch.id, index, result: { status: 'succeeded', image }, attemptsInRun: 1 });
    }

    const zipPath = join(dataDirectory, 'download.zip');
    const file = await open(zipPath, 'w');
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakArrayBuffers = baseline.arrayBuffers;
    let received = 0;
    const response = await download(batch.id);
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await file.write(value);
      received += value.byteLength;
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
    }
    await file.close();

    const totalBytes = imageCount * imageBytes;
    expect(received).toBeGreaterThan(totalBytes);
    expect(response.headers.get('content-length')).toBe(String(received));
    // Loose bounds, far below the 200 MB that buffering the batch would take.
    expect(peakArrayBuffers - baseline.arrayBuffers).toBeLessThan(totalBytes / 4);
    expect(peakRss - baseline.rss).toBeLessThan(totalBytes / 4);

    const entries = readZip(await readFile(zipPath));
    expect(entries).toHaveLength(imageCount + 1);
    expect(entries[0]!.name).toBe('manifest.json');
    expect(entries.slice(1).map((entry) => entry.name)).toEqual(
      Array.from({ length: imageCount }, (_, offset) => `image-${String(offset + 1).padStart(3, '0')}.png`),
    );
    expect(entries.every((entry) => entry.isCrcValid)).toBe(true);
    expect(entries.slice(1).every((entry) => entry.size === imageBytes)).toBe(true);
    const manifest = JSON.parse(entries[0]!.data.toString('utf8'));
    expect(manifest.items).toHaveLength(imageCount);
    expect(manifest.items[199]).toMatchObject({ index: 200, status: 'succeeded', file: 'image-200.png' });
    if (hasUnzip) execFileSync('unzip', ['-tq', zipPath], { stdio: 'pipe' });
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
    const { runtime } = await useBatchTestApp();
    const { store } = await runtime();
    const batch = await store.batches.createBatch({
      prompt: 'hang up',
      mode: 'text-to-image',
      providerId: 'demo',
      modelId: 'demo-shapes-v1',
      params: { numberOfImages: 3 },
      items: Array.from({ length: 3 }, () => ({ prompt: 'hang up' })),
    });
    for (let index = 1; index <= 3; index += 1) {
      const image = await store.blobs.put(randomBytes(4 * 1024 * 1024), 'application/octet-stream');
      await store.batches.startItem({ batchId: batch.id, index });
      await store.batches.finishItem({ batchId: batch.id, index, result: { status: 'succeeded', image }, attemptsInRun: 1 });
    }
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    const controller = new AbortController();
    const response = await download(batch.id, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openFiles()).toBeLessThanOrEqual(before);
  });
});
