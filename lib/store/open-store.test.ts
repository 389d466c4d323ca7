import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, readPngTextChunks, toImageTextMetadata } from './index';

describe('openStore', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'imagegen-open-store-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps batches and images under the data directory, across reopening', async () => {
    const dataDirectory = join(root, 'nested', 'data');
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const first = await openStore({ dataDirectory });
    const batch = await first.batches.createBatch({
      prompt: 'a dot',
      mode: 'text-to-image',
      providerId: 'demo',
      modelId: 'demo-1',
      params: { numberOfImages: 1 },
      items: [{ prompt: 'a dot' }],
    });
    await first.batches.startItem({ batchId: batch.id, index: 1 });
    const metadata = toImageTextMetadata({
      prompt: 'a dot',
      providerId: 'demo',
      modelId: 'demo-1',
      mode: 'text-to-image',
      aspectRatio: '1:1',
      batchId: batch.id,
      index: 1,
    });
    const image = await first.blobs.put(png, 'image/png', metadata);
    await first.batches.finishItem({ batchId: batch.id, index: 1, result: { status: 'succeeded', image }, attemptsInRun: 1 });
    await first.close();

    const second = await openStore({ dataDirectory });
    const item = (await second.batches.getBatch(batch.id))?.items[0];
    const opened = await second.blobs.open(item!.image!.imageId);
    const bytes = await buffer(opened.stream);
    await second.close();

    const files = (await readdir(dataDirectory)).filter((name) => !name.endsWith('-wal') && !name.endsWith('-shm'));
    expect(files.sort()).toEqual(['imagegen.sqlite', 'images']);
    expect(item?.status).toBe('succeeded');
    expect(readPngTextChunks(bytes)).toEqual([
      { keyword: 'prompt', text: 'a dot' },
      {
        keyword: 'parameters',
        text: `a dot\nProvider: demo, Model: demo-1, Mode: text-to-image, Aspect ratio: "1:1", Batch: ${batch.id}, Image: 1`,
      },
    ]);
  });
});
