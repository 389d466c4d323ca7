import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openStore } from '@/lib/store';
import { followBatchEvents } from './batch-events';
import { withLoggedEvents } from './local-batch-access';

it('follows events that another process logged on the same DATA_DIR (they never reach this process\'s bus)', async () => {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-logged-'));
  const store = await openStore({ dataDirectory });
  try {
    const batch = await store.batches.createBatch(
      { prompt: 'p', mode: 'text-to-image', providerId: 'demo', modelId: 'demo-shapes-v1', params: { numberOfImages: 1 }, items: [{ prompt: 'p' }] },
      { type: 'batch-start', etaMs: null, provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' },
    );
    const silentBus = { subscribe: () => () => {} };
    const sent: number[] = [];
    const following = followBatchEvents({
      store: store.batches,
      queue: withLoggedEvents(silentBus, store.batches, 10),
      batchId: batch.id,
      afterSequence: 0,
      send: (event) => sent.push(event.sequence),
      signal: new AbortController().signal,
    });
    while (sent.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // What the other process's worker logs:
    await store.batches.appendEvent(batch.id, { type: 'item-start', index: 1, attempt: 1, etaMs: null });
    await store.batches.appendEvent(batch.id, { type: 'batch-end', status: 'canceled', etaMs: 0 });
    await following;
    expect(sent).toEqual([1, 2, 3]);
  } finally {
    await store.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
});
