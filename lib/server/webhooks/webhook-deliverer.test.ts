import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchStore } from '@/lib/store';
import { createSqliteBatchStore } from '@/lib/store/sqlite/sqlite-batch-store';
import { sendWebhook } from './send-webhook';
import { startWebhookReceiver } from './testing/webhook-receiver';
import { startWebhookDeliverer, type WebhookDeliverer } from './webhook-deliverer';
import { createWebhookSigner } from './webhook-signature';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStores(count: number): Promise<BatchStore[]> {
  const directory = await mkdtemp(join(tmpdir(), 'imagegen-webhooks-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  const stores = Array.from({ length: count }, () => createSqliteBatchStore({ filePath: join(directory, 'imagegen.sqlite') }));
  for (const store of stores) cleanups.push(() => store.close());
  return stores;
}

async function endBatch(store: BatchStore, url: string): Promise<string> {
  const batch = await store.createBatch({
    prompt: 'p',
    mode: 'text-to-image',
    providerId: 'demo',
    modelId: 'demo-1',
    params: { numberOfImages: 1, webhookUrls: [url], publicOrigin: 'http://127.0.0.1:3000' },
    items: [{ prompt: 'p' }],
  });
  await store.startItem({ batchId: batch.id, index: 1 });
  await store.finishItem({ batchId: batch.id, index: 1, result: { status: 'canceled' }, attemptsInRun: 0 });
  return batch.id;
}

function deliverer(store: BatchStore, owner: string): WebhookDeliverer {
  const started = startWebhookDeliverer({
    store,
    owner,
    sign: createWebhookSigner('a secret'),
    send: sendWebhook,
    retryDelaysMs: [50],
    timeoutMs: 2_000,
    allowPrivate: true,
    pollIntervalMs: 20,
    batchSize: 2,
  });
  cleanups.push(() => started.stop());
  return started;
}

describe('startWebhookDeliverer', () => {
  it('with two workers on one database, sends each delivery once', async () => {
    const hooks = await startWebhookReceiver([200]);
    cleanups.push(() => hooks.close());
    const [first, second] = await openStores(2);
    const batchIds: string[] = [];
    for (let count = 0; count < 8; count += 1) batchIds.push(await endBatch(first!, hooks.url));

    deliverer(first!, 'worker-a');
    deliverer(second!, 'worker-b');
    await hooks.waitFor(8);
    await new Promise((resolve) => setTimeout(resolve, 200)); // time for a duplicate to arrive, if there were one

    const ids = hooks.received.map((request) => request.headers['webhook-id']);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    const sentBatchIds = hooks.received.map((request) => (JSON.parse(request.body) as { data: { batchId: string } }).data.batchId);
    expect(sentBatchIds.sort()).toEqual([...batchIds].sort());
  });

  it('waits, when stopped, for the attempt in flight to be recorded', async () => {
    const [store] = await openStores(1);
    const batchId = await endBatch(store!, 'http://127.0.0.1:9/hook');
    let release: () => void = () => {};
    let sendStarted: () => void = () => {};
    const isSending = new Promise<void>((resolve) => (sendStarted = resolve));
    const started = startWebhookDeliverer({
      store: store!,
      sign: createWebhookSigner(undefined),
      send: () =>
        new Promise((resolve) => {
          release = () => resolve({ statusCode: 200 });
          sendStarted();
        }),
      retryDelaysMs: [],
      timeoutMs: 1_000,
      allowPrivate: true,
      pollIntervalMs: 20,
    });
    await isSending;
    const stopping = started.stop();
    release();
    await stopping;

    expect((await store!.listWebhookDeliveries(batchId))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
