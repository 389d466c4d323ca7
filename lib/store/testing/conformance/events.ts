import { describe, expect, it } from 'vitest';
import type { BatchEventInput } from '../../batch-records';
import { isStoreError } from '../../store-error';
import { failed, rejectionOf, runItem, sampleBatch, sampleImage, succeeded, type UseContext } from '../conformance-context';

const itemStart = (index: number): BatchEventInput => ({ type: 'item-start', index, attempt: 1, etaMs: null });

export function describeEvents(useContext: UseContext): void {
  describe('appendEvent and listEvents', () => {
    it('numbers each batch’s events 1, 2, 3, … on its own', async () => {
      const { store } = useContext();
      const first = await store.createBatch(sampleBatch());
      const second = await store.createBatch(sampleBatch());

      const sequences = [];
      for (const batchId of [first.id, second.id, first.id, first.id, second.id]) {
        sequences.push((await store.appendEvent(batchId, itemStart(1))).sequence);
      }

      expect(sequences).toEqual([1, 1, 2, 3, 2]);
    });

    it('logs the first event given to createBatch in the same transaction, stamped like any other', async () => {
      const { store } = useContext();
      const created = await store.createBatch(sampleBatch(), { type: 'batch-start', provider: 'demo', model: 'demo-1', isDemo: true, mode: 'text-to-image', etaMs: null });
      expect(created.lastEventSequence).toBe(1);
      expect(created.firstEvent).toMatchObject({ type: 'batch-start', batchId: created.id, sequence: 1, total: created.total, completed: 0, failed: 0 });
      expect(await store.listEvents(created.id)).toEqual([created.firstEvent]);
      // Without one, nothing is logged.
      const bare = await store.createBatch(sampleBatch());
      expect(bare.firstEvent).toBeUndefined();
      expect(await store.listEvents(bare.id)).toEqual([]);
    });

    it('reports the last logged sequence with the batch, 0 before any event, in the list too', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      expect(batch.lastEventSequence).toBe(0);
      await store.appendEvent(batch.id, itemStart(1));
      await store.appendEvent(batch.id, itemStart(2));
      expect((await store.getBatch(batch.id))?.lastEventSequence).toBe(2);
      const page = await store.listBatches();
      expect(page.batches.find((listed) => listed.id === batch.id)?.lastEventSequence).toBe(2);
    });

    it('hands out sequences without gaps or repeats under concurrent appends', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      const count = 50;

      const appends = Array.from({ length: count }, (_, position) => store.appendEvent(batch.id, itemStart(position + 1)));
      const logged = await Promise.all(appends);

      const expected = Array.from({ length: count }, (_, position) => position + 1);
      expect(logged.map((event) => event.sequence).sort((left, right) => left - right)).toEqual(expected);
      expect((await store.listEvents(batch.id)).map((event) => event.sequence)).toEqual(expected);
    });

    it('stamps the batch id and the batch’s counters, and keeps no image bytes', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      await runItem(store, batch.id, 1, succeeded());
      await runItem(store, batch.id, 2, failed);

      const logged = await store.appendEvent(batch.id, {
        type: 'item-end',
        index: 2,
        status: 'succeeded',
        mimeType: 'image/png',
        etaMs: 500,
        data: 'iVBORw0KGgo=',
      } as BatchEventInput);
      const batchEnd = await store.appendEvent(batch.id, {
        type: 'batch-end',
        status: 'partial',
        etaMs: 0,
        result: { images: [{ data: 'iVBORw0KGgo=', mimeType: 'image/png' }], success: 1, failed: 1 },
      } as BatchEventInput);

      const expectedItemEnd = { type: 'item-end', batchId: batch.id, sequence: 1, total: 3, completed: 1, failed: 1, index: 2, etaMs: 500 };
      expect(logged).toMatchObject(expectedItemEnd);
      expect(logged).not.toHaveProperty('data');
      expect(batchEnd).not.toHaveProperty('result');
      expect(await store.listEvents(batch.id)).toEqual([logged, batchEnd]);
    });

    it('replays what came after a given sequence, a page at a time', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch());
      for (let index = 1; index <= 6; index += 1) await store.appendEvent(batch.id, itemStart(index));

      const sequencesOf = async (afterSequence: number, limit?: number) =>
        (await store.listEvents(batch.id, { afterSequence, limit })).map((event) => event.sequence);

      expect(await sequencesOf(0)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await sequencesOf(4)).toEqual([5, 6]);
      expect(await sequencesOf(6)).toEqual([]);
      expect(await sequencesOf(99)).toEqual([]);
      expect(await sequencesOf(1, 2)).toEqual([2, 3]);
      await expect(store.listEvents(batch.id, { afterSequence: -1 })).rejects.toThrow(RangeError);
      await expect(store.listEvents(batch.id, { afterSequence: 1.5 })).rejects.toThrow(RangeError);
    });

    it('rejects an unknown batch as not_found', async () => {
      const { store } = useContext();
      // One call at a time: a second promise that rejected while the first was awaited would be unhandled.
      for (const attempt of [() => store.appendEvent('missing', itemStart(1)), () => store.listEvents('missing')]) {
        const error = await rejectionOf(attempt());
        expect(isStoreError(error) && error.kind).toBe('not_found');
      }
    });
  });

  describe('events that accompany an item change', () => {
    it('logs the event in the same step as the change, with the counters after it', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 2 }));

      const started = await store.startItem({ batchId: batch.id, index: 1, event: itemStart(1) });
      const finished = await store.finishItem({
        batchId: batch.id,
        index: 1,
        result: succeeded(),
        attemptsInRun: 1,
        event: { type: 'item-end', index: 1, status: 'succeeded', mimeType: 'image/png', etaMs: 100 },
      });

      expect(started?.event).toMatchObject({ type: 'item-start', sequence: 1, completed: 0 });
      expect(finished.event).toMatchObject({ type: 'item-end', sequence: 2, completed: 1, failed: 0, total: 2 });
      expect(await store.listEvents(batch.id)).toEqual([started?.event, finished.event]);
    });

    it('logs nothing, and uses no sequence, when the change is refused', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 2 }));

      const refused = store.finishItem({
        batchId: batch.id,
        index: 1,
        result: { status: 'succeeded', image: sampleImage() },
        attemptsInRun: 1,
        event: { type: 'item-end', index: 1, status: 'succeeded', etaMs: null },
      });
      await expect(refused).rejects.toThrow();

      expect(await store.listEvents(batch.id)).toEqual([]);
      expect((await store.appendEvent(batch.id, itemStart(2))).sequence).toBe(1);
    });
  });
}
