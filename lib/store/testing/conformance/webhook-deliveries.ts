import { describe, expect, it } from 'vitest';
import type { BatchStore } from '../../batch-store';
import { canceled, failed, runItem, sampleBatch, succeeded, type UseContext } from '../conformance-context';

const receiver = 'https://hooks.example.org/imagegen';
const second = 'https://ops.example.org/hook';

/** A one-item batch that sends its ends to `urls`, run to its end (succeeded). */
async function endedBatch(store: BatchStore, urls: string[] = [receiver]) {
  const batch = await store.createBatch(sampleBatch({ itemCount: 1, params: { numberOfImages: 1, webhookUrls: urls } }));
  const change = await runItem(store, batch.id, 1, succeeded('1'));
  return { batch, batchEnd: change.batchEnd! };
}

export function describeWebhookDeliveries(useContext: UseContext): void {
  describe('webhook deliveries', () => {
    it('creates one pending delivery per webhook URL with the batch-end, in its transaction', async () => {
      const { store } = useContext();
      const { batch, batchEnd } = await endedBatch(store, [receiver, second]);

      const deliveries = await store.listWebhookDeliveries(batch.id);
      expect(deliveries.map((delivery) => delivery.url).sort()).toEqual([second, receiver].sort());
      for (const delivery of deliveries) {
        expect(delivery).toMatchObject({ batchId: batch.id, eventSequence: batchEnd.sequence, status: 'pending', attempts: 0 });
        expect(delivery.id).toMatch(/^msg_[A-Za-z0-9]+$/);
        expect(delivery.nextAttemptAtMs).toBeTypeOf('number');
        expect(delivery.payload).toBeUndefined();
      }
      expect(new Set(deliveries.map((delivery) => delivery.id)).size).toBe(2);
    });

    it('creates none for a batch without webhook URLs, nor before the batch ends', async () => {
      const { store } = useContext();
      const quiet = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, quiet.id, 1, succeeded('1'));
      const running = await store.createBatch(sampleBatch({ itemCount: 2, params: { numberOfImages: 2, webhookUrls: [receiver] } }));
      await runItem(store, running.id, 1, failed);

      expect(await store.listWebhookDeliveries(quiet.id)).toEqual([]);
      expect(await store.listWebhookDeliveries(running.id)).toEqual([]);
      expect(await store.listWebhookDeliveries('no-such-batch')).toEqual([]);
    });

    it('creates them when a cancel ends the batch, and again for each later end of a retried batch', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 1, params: { numberOfImages: 1, webhookUrls: [receiver] } }));
      const cancel = await store.cancelQueuedItems(batch.id);
      const firstEnd = cancel.events.find((event) => event.type === 'batch-end')!;
      await store.requeueItems(batch.id);
      const secondEnd = (await runItem(store, batch.id, 1, canceled)).batchEnd!;

      const deliveries = await store.listWebhookDeliveries(batch.id);
      expect(deliveries.map((delivery) => delivery.eventSequence)).toEqual([firstEnd.sequence, secondEnd.sequence]);
      expect(deliveries[0]!.id).not.toBe(deliveries[1]!.id);
    });

    it('hands a due delivery to one worker at a time, and to another once the lease has expired', async () => {
      const { store } = useContext();
      const { batch } = await endedBatch(store);

      const [claimed] = await store.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 60_000 });
      expect(claimed?.batchId).toBe(batch.id);
      expect(await store.claimDueWebhookDeliveries({ owner: 'worker-b', leaseMs: 60_000 })).toEqual([]);

      // A lease of 0 ms has expired at once: worker-a "died" holding it.
      const { batch: other } = await endedBatch(store);
      const [held] = await store.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 0 });
      expect(held?.batchId).toBe(other.id);
      const [taken] = await store.claimDueWebhookDeliveries({ owner: 'worker-b', leaseMs: 60_000 });
      expect(taken?.id).toBe(held?.id);
      expect(await store.recordWebhookAttempt({ id: held!.id, owner: 'worker-a', payload: '{}', outcome: 'delivered', statusCode: 200 })).toBeUndefined();
      expect(await store.recordWebhookAttempt({ id: held!.id, owner: 'worker-b', payload: '{}', outcome: 'delivered', statusCode: 200 })).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
    });

    it('gives two stores claiming at once different deliveries', async () => {
      const { store, openAnother } = useContext();
      for (let count = 0; count < 4; count += 1) await endedBatch(store);
      const another = await openAnother();

      const [left, right] = await Promise.all([
        store.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 60_000, limit: 4 }),
        another.claimDueWebhookDeliveries({ owner: 'worker-b', leaseMs: 60_000, limit: 4 }),
      ]);
      const ids = [...left, ...right].map((delivery) => delivery.id);
      expect(ids).toHaveLength(4);
      expect(new Set(ids).size).toBe(4);
    });

    it('records a failed attempt for later, keeps the first body, and is not claimed before its time', async () => {
      const { store } = useContext();
      const { batch } = await endedBatch(store);
      const [claimed] = await store.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 60_000 });
      const later = Date.now() + 60_000;

      const retrying = await store.recordWebhookAttempt({
        id: claimed!.id,
        owner: 'worker-a',
        payload: '{"first":true}',
        statusCode: 500,
        outcome: 'retry',
        nextAttemptAtMs: later,
      });
      expect(retrying).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, nextAttemptAtMs: later, payload: '{"first":true}' });
      expect(await store.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 60_000 })).toEqual([]);
      expect(await store.listWebhookDeliveries(batch.id)).toEqual([retrying]);
    });

    it('claims a retry once its time has come; a delivered one never again, with its body as first sent', async () => {
      const { store } = useContext();
      const { batch } = await endedBatch(store);
      const [first] = await store.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 60_000 });
      await store.recordWebhookAttempt({ id: first!.id, owner: 'worker-a', payload: '{"first":true}', error: 'Timed out after 10 s', outcome: 'retry', nextAttemptAtMs: Date.now() - 1 });

      const [again] = await store.claimDueWebhookDeliveries({ owner: 'worker-b', leaseMs: 60_000 });
      expect(again).toMatchObject({ id: first!.id, attempts: 1, lastError: 'Timed out after 10 s', payload: '{"first":true}' });
      const delivered = await store.recordWebhookAttempt({ id: again!.id, owner: 'worker-b', payload: '{"second":true}', statusCode: 204, outcome: 'delivered' });

      expect(delivered).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 204, payload: '{"first":true}' });
      expect(delivered?.deliveredAt).toBeTypeOf('string');
      expect(delivered?.nextAttemptAtMs).toBeUndefined();
      expect(await store.claimDueWebhookDeliveries({ owner: 'worker-c', leaseMs: 60_000 })).toEqual([]);
      expect((await store.listWebhookDeliveries(batch.id))[0]?.status).toBe('delivered');
    });

    it('records the last attempt as failed: never claimed again', async () => {
      const { store } = useContext();
      await endedBatch(store);
      const [claimed] = await store.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 60_000 });
      const gaveUp = await store.recordWebhookAttempt({ id: claimed!.id, owner: 'worker-a', payload: '{}', statusCode: 503, outcome: 'failed' });

      expect(gaveUp).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 503 });
      expect(gaveUp?.nextAttemptAtMs).toBeUndefined();
      expect(await store.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 60_000 })).toEqual([]);
    });

    it('releases every claim when the sole process starts again: the delivery is due at once', async () => {
      const { store, openAnother } = useContext();
      await endedBatch(store);
      const [claimed] = await store.claimDueWebhookDeliveries({ owner: 'crashed-worker', leaseMs: 60_000 });
      await store.close();

      const restarted = await openAnother();
      expect(await restarted.claimDueWebhookDeliveries({ owner: 'new-worker', leaseMs: 60_000 })).toEqual([]);
      expect(await restarted.releaseWebhookLeases()).toBe(1);
      expect((await restarted.claimDueWebhookDeliveries({ owner: 'new-worker', leaseMs: 60_000 })).map((delivery) => delivery.id)).toEqual([claimed!.id]);
      expect(await restarted.releaseWebhookLeases()).toBe(1);
    });

    it('keeps deliveries across a reopen, and deletes them with their batch', async () => {
      const { store, openAnother } = useContext();
      const { batch } = await endedBatch(store);
      const before = await store.listWebhookDeliveries(batch.id);
      await store.close();

      const reopened = await openAnother();
      expect(await reopened.listWebhookDeliveries(batch.id)).toEqual(before);
      expect(await reopened.claimDueWebhookDeliveries({ owner: 'worker-a', leaseMs: 60_000 })).toHaveLength(1);
      await reopened.deleteBatch(batch.id);
      expect(await reopened.listWebhookDeliveries(batch.id)).toEqual([]);
    });
  });
}
