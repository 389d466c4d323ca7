import { describe, expect, it } from 'vitest';
import { isStoreError } from '../../store-error';
import { canceled, failed, rejectionOf, runItem, sampleBatch, sampleImage, succeeded, type UseContext } from '../conformance-context';

const alice = 'user-alice';
const bob = 'user-bob';

const idsOf = (page: { batches: { id: string }[] }) => page.batches.map((batch) => batch.id);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectStoreError(promise: Promise<unknown>, kind: string): Promise<void> {
  const error = await rejectionOf(promise);
  expect(isStoreError(error) && error.kind, String(error)).toBe(kind);
}

/** Search and filters of `listBatches`, favorites, deleting one image, and finding items by image id. */
export function describeFindAndKeep(useContext: UseContext): void {
  describe('listBatches filters', () => {
    it('finds batches by the text of any of their prompts, ignoring ASCII case, with % and _ taken literally', async () => {
      const { store } = useContext();
      const lighthouse = await store.createBatch(sampleBatch({ prompt: 'A Lighthouse at dusk', items: [{ prompt: 'A Lighthouse at dusk' }] }));
      const several = await store.createBatch(
        sampleBatch({ prompt: 'a red fox', params: { numberOfImages: 1, prompts: ['a red fox', 'a blue LIGHTHOUSE'] }, items: [{ prompt: 'a red fox' }, { prompt: 'a blue LIGHTHOUSE' }] }),
      );
      const percent = await store.createBatch(sampleBatch({ prompt: '100% cotton_shirt', items: [{ prompt: '100% cotton_shirt' }] }));
      await store.createBatch(sampleBatch({ prompt: '1000 cottonXshirt', items: [{ prompt: '1000 cottonXshirt' }] }));

      expect(idsOf(await store.listBatches({ promptContains: 'lighthouse' }))).toEqual([several.id, lighthouse.id]);
      expect(idsOf(await store.listBatches({ promptContains: 'FOX' }))).toEqual([several.id]);
      expect(idsOf(await store.listBatches({ promptContains: '0% cotton_' }))).toEqual([percent.id]);
      expect(idsOf(await store.listBatches({ promptContains: '%' }))).toEqual([percent.id]);
      expect(idsOf(await store.listBatches({ promptContains: 'nothing like it' }))).toEqual([]);
      // Blank text is no filter.
      expect((await store.listBatches({ promptContains: '  ' })).batches).toHaveLength(4);
    });

    it('filters by statuses, provider, model and creation time, each alone and together', async () => {
      const { store } = useContext();
      const done = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, done.id, 1, succeeded('1'));
      await pause(5);
      const between = new Date();
      await pause(5);
      const partial = await store.createBatch(sampleBatch({ itemCount: 2, providerId: 'openai', modelId: 'gpt-image-1' }));
      await runItem(store, partial.id, 1, succeeded('2'));
      await runItem(store, partial.id, 2, failed);
      const queued = await store.createBatch(sampleBatch({ itemCount: 1, modelId: 'demo-2' }));

      expect(idsOf(await store.listBatches({ statuses: ['completed'] }))).toEqual([done.id]);
      expect(idsOf(await store.listBatches({ statuses: ['partial', 'queued'] }))).toEqual([queued.id, partial.id]);
      expect(idsOf(await store.listBatches({ statuses: [] }))).toEqual([]);
      expect(idsOf(await store.listBatches({ providerId: 'openai' }))).toEqual([partial.id]);
      expect(idsOf(await store.listBatches({ modelId: 'demo-1' }))).toEqual([done.id]);
      expect(idsOf(await store.listBatches({ providerId: 'demo', modelId: 'demo-2' }))).toEqual([queued.id]);
      expect(idsOf(await store.listBatches({ createdFrom: between }))).toEqual([queued.id, partial.id]);
      expect(idsOf(await store.listBatches({ createdBefore: between }))).toEqual([done.id]);
      expect(idsOf(await store.listBatches({ createdFrom: between, providerId: 'demo' }))).toEqual([queued.id]);
      expect(idsOf(await store.listBatches({ createdFrom: new Date(Date.parse(queued.createdAt)) }))).toEqual([queued.id]);
      expect(idsOf(await store.listBatches({ createdBefore: new Date(Date.parse(done.createdAt)) }))).toEqual([]);
    });

    it('pages filtered results by cursor, within one owner, and loads the items of pages that are not consecutive', async () => {
      const { store } = useContext();
      const matching: string[] = [];
      for (let count = 0; count < 5; count++) {
        matching.push((await store.createBatch(sampleBatch({ itemCount: 2, prompt: `cat ${count}`, items: [{ prompt: `cat ${count}` }, { prompt: 'x' }], ownerId: alice }))).id);
        await store.createBatch(sampleBatch({ itemCount: 1, prompt: `cat of bob ${count}`, items: [{ prompt: `cat of bob ${count}` }], ownerId: bob }));
        await store.createBatch(sampleBatch({ itemCount: 1, prompt: 'a dog', items: [{ prompt: 'a dog' }], ownerId: alice }));
      }
      const first = await store.listBatches({ ownerId: alice, promptContains: 'cat', limit: 2, includeItems: true });
      expect(idsOf(first)).toEqual([matching[4], matching[3]]);
      expect(first.batches.every((batch) => 'items' in batch && batch.items.length === 2 && batch.items[0]!.batchId === batch.id)).toBe(true);
      expect(first.nextCursor).toBe(matching[3]);
      const second = await store.listBatches({ ownerId: alice, promptContains: 'cat', limit: 2, before: first.nextCursor, includeItems: true });
      expect(idsOf(second)).toEqual([matching[2], matching[1]]);
      const third = await store.listBatches({ ownerId: alice, promptContains: 'cat', limit: 2, before: second.nextCursor });
      expect(idsOf(third)).toEqual([matching[0]]);
      expect(third.nextCursor).toBeUndefined();
    });

    it('onlyWithFavorites keeps the batches holding at least one favorite image', async () => {
      const { store } = useContext();
      const kept = await store.createBatch(sampleBatch({ itemCount: 2 }));
      await runItem(store, kept.id, 1, succeeded('1'));
      await runItem(store, kept.id, 2, succeeded('2'));
      const plain = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, plain.id, 1, succeeded('3'));
      expect(idsOf(await store.listBatches({ onlyWithFavorites: true }))).toEqual([]);
      await store.setItemFavorite({ batchId: kept.id, index: 2, isFavorite: true });
      expect(idsOf(await store.listBatches({ onlyWithFavorites: true }))).toEqual([kept.id]);
      expect(idsOf(await store.listBatches({ onlyWithFavorites: false }))).toEqual([plain.id, kept.id]);
      await store.setItemFavorite({ batchId: kept.id, index: 2, isFavorite: false });
      expect(idsOf(await store.listBatches({ onlyWithFavorites: true }))).toEqual([]);
    });
  });

  describe('setItemFavorite', () => {
    it('marks and unmarks an image, shown on the item and kept across stores; the batch’s updatedAt does not move', async () => {
      const { store, openAnother } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 2 }));
      await runItem(store, batch.id, 1, succeeded('1'));
      await runItem(store, batch.id, 2, failed);
      const before = (await store.getBatch(batch.id))!;
      expect(before.items[0]).not.toHaveProperty('isFavorite');

      const marked = await store.setItemFavorite({ batchId: batch.id, index: 1, isFavorite: true });
      expect(marked).toMatchObject({ batchId: batch.id, index: 1, status: 'succeeded', isFavorite: true, image: sampleImage('1') });
      // Marking twice is the same.
      expect(await store.setItemFavorite({ batchId: batch.id, index: 1, isFavorite: true })).toEqual(marked);
      const other = await openAnother();
      const reread = (await other.getBatch(batch.id))!;
      expect(reread.items[0]!.isFavorite).toBe(true);
      expect(reread.updatedAt).toBe(before.updatedAt);
      expect((await store.listBatches({ includeItems: true })).batches[0]).toMatchObject({ items: [{ isFavorite: true }, {}] });

      const unmarked = await store.setItemFavorite({ batchId: batch.id, index: 1, isFavorite: false });
      expect(unmarked).not.toHaveProperty('isFavorite');
      expect((await store.getBatch(batch.id))!.items[0]).not.toHaveProperty('isFavorite');
    });

    it('refuses an item without an image (conflict) and an unknown batch or item (not_found)', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 3 }));
      await runItem(store, batch.id, 1, failed);
      await expectStoreError(store.setItemFavorite({ batchId: batch.id, index: 1, isFavorite: true }), 'conflict');
      await expectStoreError(store.setItemFavorite({ batchId: batch.id, index: 2, isFavorite: true }), 'conflict');
      // Unmarking what has no image changes nothing and is not an error.
      expect(await store.setItemFavorite({ batchId: batch.id, index: 2, isFavorite: false })).toMatchObject({ index: 2, status: 'queued' });
      await expectStoreError(store.setItemFavorite({ batchId: batch.id, index: 9, isFavorite: true }), 'not_found');
      await expectStoreError(store.setItemFavorite({ batchId: 'no-such-batch', index: 1, isFavorite: true }), 'not_found');
    });

    it('retention keeps a finished batch that holds a favorite', async () => {
      const { store } = useContext();
      const kept = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, kept.id, 1, succeeded('1'));
      const old = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, old.id, 1, succeeded('2'));
      await store.setItemFavorite({ batchId: kept.id, index: 1, isFavorite: true });
      expect(await store.listFinishedBatchIdsBefore(new Date(Date.now() + 60_000))).toEqual([old.id]);
    });
  });

  describe('deleteItemImage', () => {
    it('takes one image of a finished batch: the item stays succeeded without it, the counters stay, usage drops', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 3 }));
      await runItem(store, batch.id, 1, succeeded('1'));
      await runItem(store, batch.id, 2, succeeded('2'));
      await store.setItemFavorite({ batchId: batch.id, index: 2, isFavorite: true });
      await runItem(store, batch.id, 3, failed);
      const before = (await store.getBatch(batch.id))!;
      const usageBefore = await store.usage();

      const deleted = await store.deleteItemImage(batch.id, 2);
      expect(deleted.imageIds).toEqual([sampleImage('2').imageId]);
      expect(deleted.item).toMatchObject({ batchId: batch.id, index: 2, status: 'succeeded', imageDeletedAt: expect.any(String) });
      expect(deleted.item).not.toHaveProperty('image');
      expect(deleted.item).not.toHaveProperty('isFavorite');

      const after = (await store.getBatch(batch.id))!;
      expect(after).toMatchObject({ status: 'partial', succeeded: 2, failed: 1, updatedAt: before.updatedAt });
      expect(after.items[0]!.image).toEqual(sampleImage('1'));
      expect(after.items[1]).toEqual(deleted.item);
      expect(await store.usage()).toEqual({ ...usageBefore, imageCount: usageBefore.imageCount - 1, imageBytes: usageBefore.imageBytes - sampleImage().byteLength });
      expect(await store.findImageOwner(sampleImage('2').imageId)).toBeUndefined();
      expect(await store.findImageItems([sampleImage('2').imageId])).toEqual([]);

      // Again: nothing left to delete, nothing changes.
      expect(await store.deleteItemImage(batch.id, 2)).toEqual({ item: deleted.item, imageIds: [] });
      // A retry does not make it again: only failed and canceled items go back to the queue.
      expect((await store.requeueItems(batch.id)).count).toBe(1);
      expect((await store.getBatch(batch.id))!.items.map((item) => item.status)).toEqual(['succeeded', 'succeeded', 'queued']);
    });

    it('refuses while the batch is queued or running, for an item that never had an image, and for unknown ids', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 3 }));
      await runItem(store, batch.id, 1, succeeded('1'));
      await expectStoreError(store.deleteItemImage(batch.id, 1), 'conflict');
      await runItem(store, batch.id, 2, failed);
      await runItem(store, batch.id, 3, canceled);
      await expectStoreError(store.deleteItemImage(batch.id, 2), 'conflict');
      await expectStoreError(store.deleteItemImage(batch.id, 3), 'conflict');
      await expectStoreError(store.deleteItemImage(batch.id, 4), 'not_found');
      await expectStoreError(store.deleteItemImage('no-such-batch', 1), 'not_found');
      expect((await store.getBatch(batch.id))!.items[0]!.image).toEqual(sampleImage('1'));
    });
  });

  describe('findImageItems', () => {
    it('finds the items that made these images, with their batches; unknown ids and uploads are left out', async () => {
      const { store } = useContext();
      const first = await store.createBatch(sampleBatch({ itemCount: 2, ownerId: alice }));
      await runItem(store, first.id, 1, succeeded('1'));
      await runItem(store, first.id, 2, succeeded('2'));
      const upload = sampleImage('9');
      const second = await store.createBatch(sampleBatch({ itemCount: 1, mode: 'image-to-image', params: { numberOfImages: 1, inputImages: [upload] } }));
      await runItem(store, second.id, 1, succeeded('3'));

      const found = await store.findImageItems([sampleImage('3').imageId, sampleImage('1').imageId, 'unknown.png', upload.imageId]);
      const byImage = new Map(found.map((entry) => [entry.item.image?.imageId, entry]));
      expect(found).toHaveLength(2);
      expect(byImage.get(sampleImage('1').imageId)).toMatchObject({ batch: { id: first.id, ownerId: alice, status: 'completed' }, item: { index: 1 } });
      expect(byImage.get(sampleImage('3').imageId)).toMatchObject({ batch: { id: second.id, providerId: 'demo', params: { numberOfImages: 1 } }, item: { index: 1 } });
      expect(byImage.get(sampleImage('3').imageId)!.batch).not.toHaveProperty('ownerId');
      expect(await store.findImageItems([])).toEqual([]);
    });
  });
}
