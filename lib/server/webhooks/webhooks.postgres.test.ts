import { expect, it } from 'vitest';
import { batchViewSchema, type BatchView } from '@/lib/core';
import { getApp, respondToCreateBatch, respondToGetBatch } from '@/lib/server';
import { describeOnTestPostgres } from '@/lib/store/postgres/testing/test-postgres';
import { jsonRequest, useTestApp } from '../testing/route-test-helpers';
import { startWebhookReceiver } from './testing/webhook-receiver';

/** With DATABASE_URL the deliveries live in PostgreSQL and the worker sends them the same way. */
await describeOnTestPostgres('completion webhooks with DATABASE_URL=postgres://…', (useDatabase) => {
  it('delivers the batch end after a 500, and shows it delivered', async () => {
    const schema = await useDatabase().createSchema();
    const hooks = await startWebhookReceiver([500, 200]);
    try {
      useTestApp({ DATABASE_URL: schema.url, WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_SECRET: 'a secret', WEBHOOK_RETRY_DELAYS_MS: '100', QUEUE_SAFETY_POLL_MS: '100' });
      const created = (await (await respondToCreateBatch(jsonRequest('/api/batches', { prompt: 'kept in postgres', numberOfImages: 1, webhookUrl: hooks.url }))).json()) as BatchView;
      await hooks.waitFor(2);

      expect(hooks.received[1]!.body).toBe(hooks.received[0]!.body);
      const readBatch = async () =>
        batchViewSchema.parse(await (await respondToGetBatch(new Request(`http://127.0.0.1/api/batches/${created.id}`), created.id)).json());
      const deadline = Date.now() + 10_000;
      let batch = await readBatch();
      while (batch.webhooks?.[0]?.status !== 'delivered' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        batch = await readBatch();
      }
      expect(batch.webhooks).toEqual([expect.objectContaining({ status: 'delivered', attempts: 2, lastStatusCode: 200 })]);
    } finally {
      await getApp().close();
      await hooks.close();
      await schema.drop();
    }
  });
});
