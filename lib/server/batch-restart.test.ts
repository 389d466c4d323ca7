import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type BatchWithItems } from '@/lib/store';
import type { BatchView } from './batch-view';
import { createSseReader } from './testing/batch-test-helpers';
import { spawnBatchServer } from './testing/spawn-batch-server';

let dataDirectory: string | undefined;
afterEach(async () => {
  if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
});

async function poll<T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The batch as the killed process left it on disk, read with a store of our own (then closed). */
async function readBatchFromDisk(directory: string, batchId: string): Promise<BatchWithItems> {
  const store = await openStore({ dataDirectory: directory });
  try {
    return (await store.batches.getBatch(batchId))!;
  } finally {
    await store.close();
  }
}

describe('restart recovery (a real server process)', () => {
  it('kill -9 mid-batch, restart: the batch completes and every image saved before the kill is still there', { timeout: 90_000 }, async () => {
    dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-restart-'));
    const env = { DATA_DIR: dataDirectory, IMAGE_PROVIDER: 'demo', DEMO_LATENCY_MS: '150', PACING_MIN_INTERVAL_MS: '0' };

    const first = await spawnBatchServer(env);
    const response = await fetch(`${first.baseUrl}/api/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'survives a crash', numberOfImages: 8 }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as BatchView;
    const getBatch = async (baseUrl: string) => (await (await fetch(`${baseUrl}/api/batches/${id}`)).json()) as BatchView;
    await poll(() => getBatch(first.baseUrl), (batch) => batch.succeeded >= 3);
    await first.killHard();

    const leftByCrash = await readBatchFromDisk(dataDirectory, id);
    const savedBeforeKill = leftByCrash.items.filter((item) => item.status === 'succeeded');
    expect(savedBeforeKill.length).toBeGreaterThanOrEqual(3);
    expect(savedBeforeKill.length).toBeLessThan(8);
    for (const item of savedBeforeKill) expect(existsSync(join(dataDirectory, 'images', item.image!.imageId))).toBe(true);

    const second = await spawnBatchServer(env);
    const finished = await poll(() => getBatch(second.baseUrl), (batch) => batch.status !== 'queued' && batch.status !== 'running');
    expect(finished).toMatchObject({ status: 'completed', succeeded: 8, failed: 0 });
    for (const item of savedBeforeKill) {
      // Same image, same id: nothing made before the crash was lost or made again.
      expect(finished.items![item.index - 1]!.imageId).toBe(item.image!.imageId);
    }
    for (const item of finished.items!) {
      const image = await fetch(`${second.baseUrl}${item.imageUrl}`);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      await image.arrayBuffer();
    }

    // The durable log spans both processes: gapless sequences, the interrupted item started twice, one batch-end.
    const events = await createSseReader(await fetch(`${second.baseUrl}/api/batches/${id}/events`)).rest();
    expect(events.map((frame) => Number(frame.id))).toEqual(events.map((_, position) => position + 1));
    expect(events.filter((frame) => frame.event === 'item-end')).toHaveLength(8);
    expect(events.filter((frame) => frame.event === 'batch-end')).toHaveLength(1);
    expect(events.at(-1)!.data).toMatchObject({ type: 'batch-end', status: 'completed', completed: 8 });
    // Almost always one item was mid-call when killed (unless the kill fell between two items).
    const interrupted = leftByCrash.items.find((item) => item.status === 'running');
    if (interrupted) {
      expect(events.filter((frame) => frame.data.type === 'item-start' && frame.data.index === interrupted.index)).toHaveLength(2);
    }
  });
});
