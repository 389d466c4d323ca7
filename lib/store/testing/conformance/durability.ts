import { describe, expect, it } from 'vitest';
import { runItem, sampleBatch, sampleImage, succeeded, type UseContext } from '../conformance-context';

export function describeDurability(useContext: UseContext): void {
  describe('durability', () => {
    it('shows another store on the same database everything the first one wrote', async () => {
      const { store, openAnother } = useContext();
      const batch = await store.createBatch(sampleBatch());
      await runItem(store, batch.id, 1, succeeded('1'));
      await store.startItem({ batchId: batch.id, index: 2, event: { type: 'item-start', index: 2, attempt: 1, etaMs: null } });
      const before = await store.getBatch(batch.id);
      await store.close();

      const reopened = await openAnother();

      expect(await reopened.getBatch(batch.id)).toEqual(before);
      expect((await reopened.listBatches()).batches.map((listed) => listed.id)).toEqual([batch.id]);
      const retry = await reopened.appendEvent(batch.id, {
        type: 'item-retry',
        index: 2,
        attempt: 1,
        delayMs: 1000,
        kind: 'timeout',
        error: 'Timed out',
        etaMs: null,
      });
      expect(retry.sequence).toBe(2);
    });

    it('resumes after a crash: interrupted items are queued again and the batch completes', async () => {
      const { store, openAnother } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 2 }));
      await runItem(store, batch.id, 1, succeeded('1'));
      await store.startItem({ batchId: batch.id, index: 2 });
      await store.close();

      const restarted = await openAnother();
      expect(await restarted.requeueInterruptedItems()).toBe(1);
      const [next] = await restarted.listRunnableItems();
      expect(next?.item.index).toBe(2);
      const last = await runItem(restarted, batch.id, 2, succeeded('2'));

      expect(last.batch).toMatchObject({ status: 'completed', succeeded: 2 });
      expect((await restarted.getBatch(batch.id))?.items[0]?.image).toEqual(sampleImage('1'));
    });

    it('lets two open stores share the database, sequences included', async () => {
      const { store, openAnother } = useContext();
      const other = await openAnother();
      const batch = await store.createBatch(sampleBatch());

      const sequences = [];
      for (const writer of [store, other, store, other]) {
        sequences.push((await writer.appendEvent(batch.id, { type: 'item-start', index: 1, attempt: 1, etaMs: null })).sequence);
      }

      expect(sequences).toEqual([1, 2, 3, 4]);
      expect(await other.getBatch(batch.id)).toEqual(await store.getBatch(batch.id));
    });

    it('can be closed twice', async () => {
      const { store } = useContext();
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
