import { describe, expect, it } from 'vitest';
import type { BatchWithItems } from '../../batch-records';
import { isStoreError } from '../../store-error';
import { rejectionOf, runItem, sampleBatch, succeeded, type UseContext } from '../conformance-context';

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function describeBatches(useContext: UseContext): void {
  describe('createBatch and getBatch', () => {
    it('creates a queued batch with its items numbered from 1, all queued', async () => {
      const { store } = useContext();
      const created = await store.createBatch(
        sampleBatch({
          mode: 'image-to-image',
          params: {
            numberOfImages: 1,
            prompts: ['a cat', 'a dog'],
            aspectRatio: '1:1',
            inputImage: { imageId: 'ffffffff-ffff-4fff-8fff-ffffffffffff.jpg', mimeType: 'image/jpeg', byteLength: 10 },
          },
          items: [{ prompt: 'a cat' }, { prompt: 'a dog' }],
        }),
      );

      expect(created).toMatchObject({
        prompt: 'a lighthouse at dusk',
        mode: 'image-to-image',
        providerId: 'demo',
        modelId: 'demo-1',
        status: 'queued',
        total: 2,
        succeeded: 0,
        failed: 0,
        canceled: 0,
      });
      expect(created.params.prompts).toEqual(['a cat', 'a dog']);
      expect(created.params.inputImage?.imageId).toBe('ffffffff-ffff-4fff-8fff-ffffffffffff.jpg');
      expect(created.createdAt).toMatch(isoTimestamp);
      expect(created.items).toEqual([
        { batchId: created.id, index: 1, prompt: 'a cat', status: 'queued', attempts: 0, runAttempts: 0 },
        { batchId: created.id, index: 2, prompt: 'a dog', status: 'queued', attempts: 0, runAttempts: 0 },
      ]);
      expect(await store.getBatch(created.id)).toEqual(created);
    });

    it('gives every batch its own id', async () => {
      const { store } = useContext();
      const first = await store.createBatch(sampleBatch());
      const second = await store.createBatch(sampleBatch());
      expect(first.id).not.toBe(second.id);
    });

    it('refuses a batch without items and stores nothing', async () => {
      const { store } = useContext();
      await expect(store.createBatch(sampleBatch({ items: [] }))).rejects.toThrow(RangeError);
      expect((await store.listBatches()).batches).toEqual([]);
    });

    it('answers undefined for an unknown batch', async () => {
      const { store } = useContext();
      expect(await store.getBatch('no-such-batch')).toBeUndefined();
      expect(await store.getBatch('../../etc/passwd')).toBeUndefined();
    });
  });

  describe('listBatches', () => {
    async function createBatches(count: number): Promise<string[]> {
      const { store } = useContext();
      const ids: string[] = [];
      for (let position = 0; position < count; position += 1) {
        ids.push((await store.createBatch(sampleBatch({ prompt: `batch ${position}`, itemCount: 1 }))).id);
      }
      return ids;
    }

    it('pages newest first with a cursor, without overlap or gaps', async () => {
      const { store } = useContext();
      const newestFirst = (await createBatches(7)).reverse();

      const first = await store.listBatches({ limit: 3 });
      const second = await store.listBatches({ limit: 3, before: first.nextCursor });
      const third = await store.listBatches({ limit: 3, before: second.nextCursor });

      expect(first.batches.map((batch) => batch.id)).toEqual(newestFirst.slice(0, 3));
      expect(second.batches.map((batch) => batch.id)).toEqual(newestFirst.slice(3, 6));
      expect(third.batches.map((batch) => batch.id)).toEqual(newestFirst.slice(6));
      expect(third.nextCursor).toBeUndefined();
      expect(first.batches[0]).not.toHaveProperty('items');
    });

    it('has no next cursor when the page is exactly the rest', async () => {
      const { store } = useContext();
      await createBatches(2);
      expect((await store.listBatches({ limit: 2 })).nextCursor).toBeUndefined();
      expect(await store.listBatches()).toMatchObject({ batches: [{}, {}] });
    });

    it('loads the items of each batch on the page when asked', async () => {
      const { store } = useContext();
      const small = await store.createBatch(sampleBatch({ itemCount: 1 }));
      const large = await store.createBatch(sampleBatch({ itemCount: 3 }));
      await store.createBatch(sampleBatch({ itemCount: 2 }));

      const page = await store.listBatches({ limit: 2, before: (await store.listBatches({ limit: 1 })).nextCursor, includeItems: true });
      const batches = page.batches as BatchWithItems[];

      expect(batches.map((batch) => batch.id)).toEqual([large.id, small.id]);
      expect(batches[0]!.items.map((item) => item.index)).toEqual([1, 2, 3]);
      expect(batches[1]!.items).toEqual(small.items);
    });

    it('rejects a cursor that names no batch, and a bad limit', async () => {
      const { store } = useContext();
      const error = await rejectionOf(store.listBatches({ before: 'not-a-batch' }));
      expect(isStoreError(error) && error.kind).toBe('invalid_id');
      await expect(store.listBatches({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(store.listBatches({ limit: 101 })).rejects.toThrow(RangeError);
    });
  });

  describe('listRunnableItems', () => {
    it('offers the lowest-index queued item of each unfinished batch, with its batch', async () => {
      const { store } = useContext();
      const first = await store.createBatch(sampleBatch({ itemCount: 3 }));
      const finished = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, finished.id, 1, succeeded());
      const second = await store.createBatch(sampleBatch({ itemCount: 2 }));
      await store.startItem({ batchId: second.id, index: 1 });

      const runnable = await store.listRunnableItems();

      expect(runnable.map(({ item }) => [item.batchId, item.index])).toEqual([
        [first.id, 1],
        [second.id, 2],
      ]);
      expect(runnable[0]!.batch).toMatchObject({ id: first.id, providerId: 'demo', params: { aspectRatio: '16:9' } });
      expect(runnable[0]!.item.status).toBe('queued');
    });

    it('filters by provider and model, and honours the limit', async () => {
      const { store } = useContext();
      const demo = await store.createBatch(sampleBatch());
      const gemini = await store.createBatch(sampleBatch({ providerId: 'gemini', modelId: 'gemini-2.5-flash-image' }));
      await store.createBatch(sampleBatch({ providerId: 'gemini', modelId: 'another-model' }));

      expect((await store.listRunnableItems({ providerId: 'demo' })).map(({ batch }) => batch.id)).toEqual([demo.id]);
      expect(
        (await store.listRunnableItems({ providerId: 'gemini', modelId: 'gemini-2.5-flash-image' })).map(({ batch }) => batch.id),
      ).toEqual([gemini.id]);
      expect(await store.listRunnableItems({ limit: 2 })).toHaveLength(2);
      expect(await store.listRunnableItems({ providerId: 'openai' })).toEqual([]);
    });

    it('serves batches round-robin when a worker always takes the first entry', async () => {
      const { store } = useContext();
      const large = await store.createBatch(sampleBatch({ itemCount: 3 }));
      const small = await store.createBatch(sampleBatch({ itemCount: 2 }));
      const order: string[] = [];

      for (;;) {
        const [next] = await store.listRunnableItems({ limit: 1 });
        if (!next) break;
        order.push(`${next.batch.id === large.id ? 'large' : 'small'}-${next.item.index}`);
        await runItem(store, next.batch.id, next.item.index, succeeded());
      }

      expect(order).toEqual(['large-1', 'small-1', 'large-2', 'small-2', 'large-3']);
    });

    it('puts a new batch ahead of batches already being served', async () => {
      const { store } = useContext();
      const large = await store.createBatch(sampleBatch({ itemCount: 100 }));
      await runItem(store, large.id, 1, succeeded());
      const single = await store.createBatch(sampleBatch({ itemCount: 1 }));

      const [next] = await store.listRunnableItems({ limit: 1 });
      expect(next?.batch.id).toBe(single.id);
    });
  });
}
