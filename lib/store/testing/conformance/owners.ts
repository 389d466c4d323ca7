import { describe, expect, it } from 'vitest';
import { canceled, failed, runItem, sampleBatch, sampleImage, succeeded, type UseContext } from '../conformance-context';

const alice = 'user-alice';
const bob = 'user-bob';

/** Batches that belong to users: the owner filter, quota activity, image ownership and fair share between owners. */
export function describeOwners(useContext: UseContext): void {
  describe('owners', () => {
    it('records the owner and token a batch was created with; none when accounts are off', async () => {
      const { store } = useContext();
      const owned = await store.createBatch(sampleBatch({ ownerId: alice, tokenId: 'token-1' }));
      const ownerless = await store.createBatch(sampleBatch());
      expect(owned).toMatchObject({ ownerId: alice, tokenId: 'token-1' });
      expect(await store.getBatch(owned.id)).toMatchObject({ ownerId: alice, tokenId: 'token-1' });
      const stored = (await store.getBatch(ownerless.id))!;
      expect(stored).not.toHaveProperty('ownerId');
      expect(stored).not.toHaveProperty('tokenId');
    });

    it("listBatches with an owner shows that owner's batches only, paged by cursor; without one, every batch", async () => {
      const { store } = useContext();
      const aliceIds: string[] = [];
      for (let count = 0; count < 5; count++) {
        aliceIds.push((await store.createBatch(sampleBatch({ itemCount: 1, ownerId: alice }))).id);
        await store.createBatch(sampleBatch({ itemCount: 1, ownerId: bob }));
      }
      const ownerless = await store.createBatch(sampleBatch({ itemCount: 1 }));

      const first = await store.listBatches({ ownerId: alice, limit: 3 });
      expect(first.batches.map((batch) => batch.id)).toEqual(aliceIds.slice(2).reverse());
      expect(first.nextCursor).toBe(aliceIds[2]);
      const second = await store.listBatches({ ownerId: alice, limit: 3, before: first.nextCursor });
      expect(second.batches.map((batch) => batch.id)).toEqual(aliceIds.slice(0, 2).reverse());
      expect(second.nextCursor).toBeUndefined();
      expect(first.batches.every((batch) => batch.ownerId === alice)).toBe(true);

      const withItems = await store.listBatches({ ownerId: bob, includeItems: true });
      expect(withItems.batches).toHaveLength(5);
      expect(withItems.batches.every((batch) => batch.ownerId === bob && 'items' in batch && batch.items.length === 1)).toBe(true);

      expect((await store.listBatches({ limit: 100 })).batches).toHaveLength(11);
      expect((await store.listBatches({ limit: 100 })).batches[0]!.id).toBe(ownerless.id);
      expect((await store.listBatches({ ownerId: 'user-nobody' })).batches).toEqual([]);
    });

    it('usage with an owner counts only their batches and images', async () => {
      const { store } = useContext();
      const mine = await store.createBatch(sampleBatch({ itemCount: 2, ownerId: alice }));
      await runItem(store, mine.id, 1, succeeded('a1'));
      await runItem(store, mine.id, 2, failed);
      const theirs = await store.createBatch(sampleBatch({ itemCount: 3, ownerId: bob }));
      for (const index of [1, 2, 3]) await runItem(store, theirs.id, index, succeeded(`b${index}`));
      await store.createBatch(sampleBatch({ itemCount: 1 }));

      const bytes = sampleImage().byteLength;
      expect(await store.usage({ ownerId: alice })).toEqual({ batchCount: 1, imageCount: 1, imageBytes: bytes });
      expect(await store.usage({ ownerId: bob })).toEqual({ batchCount: 1, imageCount: 3, imageBytes: 3 * bytes });
      expect(await store.usage({ ownerId: 'user-nobody' })).toEqual({ batchCount: 0, imageCount: 0, imageBytes: 0 });
      expect(await store.usage()).toEqual({ batchCount: 3, imageCount: 4, imageBytes: 4 * bytes });
      expect(await store.usage({})).toEqual(await store.usage());
    });
  });

  describe('activity', () => {
    const dayAgo = () => new Date(Date.now() - 24 * 60 * 60_000);

    it("counts the owner's images asked for since a time, canceled ones not, failed ones yes", async () => {
      const { store } = useContext();
      const since = dayAgo();
      const done = await store.createBatch(sampleBatch({ itemCount: 3, ownerId: alice }));
      await runItem(store, done.id, 1, succeeded('1'));
      await runItem(store, done.id, 2, failed);
      await runItem(store, done.id, 3, succeeded('3'));
      const halfCanceled = await store.createBatch(sampleBatch({ itemCount: 4, ownerId: alice }));
      await runItem(store, halfCanceled.id, 1, succeeded('4'));
      await store.startItem({ batchId: halfCanceled.id, index: 2 });
      await store.cancelQueuedItems(halfCanceled.id);
      await store.createBatch(sampleBatch({ itemCount: 7, ownerId: bob }));
      await store.createBatch(sampleBatch({ itemCount: 9 }));

      // 3 + (4 - 2 canceled): the running item still counts.
      expect((await store.activity({ ownerId: alice }, since)).imagesSince).toBe(5);
      expect((await store.activity({ ownerId: bob }, since)).imagesSince).toBe(7);
      // Batches created before `since` do not count.
      expect((await store.activity({ ownerId: alice }, new Date(Date.now() + 60_000))).imagesSince).toBe(0);
    });

    it("counts a token's batches only, and a user's whatever the token", async () => {
      const { store } = useContext();
      const since = dayAgo();
      await store.createBatch(sampleBatch({ itemCount: 2, ownerId: alice, tokenId: 'token-1' }));
      await store.createBatch(sampleBatch({ itemCount: 3, ownerId: alice, tokenId: 'token-2' }));
      await store.createBatch(sampleBatch({ itemCount: 4, ownerId: alice }));

      expect(await store.activity({ tokenId: 'token-1' }, since)).toMatchObject({ imagesSince: 2, unfinishedBatches: 1 });
      expect(await store.activity({ tokenId: 'token-2' }, since)).toMatchObject({ imagesSince: 3, unfinishedBatches: 1 });
      expect(await store.activity({ ownerId: alice }, since)).toMatchObject({ imagesSince: 9, unfinishedBatches: 3 });
      expect(await store.activity({ ownerId: alice, tokenId: 'token-1' }, since)).toMatchObject({ imagesSince: 2 });
      expect(await store.activity({ ownerId: bob, tokenId: 'token-1' }, since)).toMatchObject({ imagesSince: 0, unfinishedBatches: 0 });
    });

    it('adds up what ended items cost since a time', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 3, ownerId: alice, isDemo: false }));
      await runItem(store, batch.id, 1, { status: 'succeeded', image: sampleImage('1'), costUsd: 0.04 });
      await runItem(store, batch.id, 2, { status: 'succeeded', image: sampleImage('2'), costUsd: 0.025 });
      await runItem(store, batch.id, 3, failed);
      const other = await store.createBatch(sampleBatch({ itemCount: 1, ownerId: bob, isDemo: false }));
      await runItem(store, other.id, 1, { status: 'succeeded', image: sampleImage('3'), costUsd: 1 });

      expect((await store.activity({ ownerId: alice }, dayAgo())).spentUsdSince).toBeCloseTo(0.065, 9);
      expect((await store.activity({ ownerId: bob }, dayAgo())).spentUsdSince).toBeCloseTo(1, 9);
      expect((await store.activity({ ownerId: alice }, new Date(Date.now() + 60_000))).spentUsdSince).toBe(0);
    });

    it('counts unfinished batches and what their items still to run are estimated to cost', async () => {
      const { store } = useContext();
      const since = dayAgo();
      const empty = await store.activity({ ownerId: alice }, since);
      expect(empty).toEqual({ imagesSince: 0, spentUsdSince: 0, unfinishedBatches: 0, pendingEstimateUsd: 0 });

      const priced = (itemCount: number, estimatedImageCostUsd?: number) =>
        store.createBatch(
          sampleBatch({
            itemCount,
            ownerId: alice,
            isDemo: false,
            params: { numberOfImages: itemCount, ...(estimatedImageCostUsd === undefined ? {} : { estimatedImageCostUsd }) },
          }),
        );
      const running = await priced(4, 0.01);
      await runItem(store, running.id, 1, { status: 'succeeded', image: sampleImage('1'), costUsd: 0.01 });
      await runItem(store, running.id, 2, failed);
      // Item 3 is running: still to be paid for.
      await store.startItem({ batchId: running.id, index: 3 });
      await priced(2, 0.5);
      await priced(3); // No price: counts as free.
      const finished = await priced(1, 100);
      await runItem(store, finished.id, 1, canceled);

      const activity = await store.activity({ ownerId: alice }, since);
      expect(activity.unfinishedBatches).toBe(3);
      // Two items left at 0.01, two at 0.5.
      expect(activity.pendingEstimateUsd).toBeCloseTo(2 * 0.01 + 2 * 0.5, 9);
      expect(activity.spentUsdSince).toBeCloseTo(0.01, 9);
      expect((await store.activity({ ownerId: bob }, since)).pendingEstimateUsd).toBe(0);

      // Canceling a batch ends it: nothing pending any more.
      await store.cancelQueuedItems(running.id);
      await store.finishItem({ batchId: running.id, index: 3, result: canceled, attemptsInRun: 0 });
      const after = await store.activity({ ownerId: alice }, since);
      expect(after.unfinishedBatches).toBe(2);
      expect(after.pendingEstimateUsd).toBeCloseTo(1, 9);
    });
  });

  describe('findImageOwner', () => {
    it('finds the owner of a made image and of an input image; null for a batch made without accounts', async () => {
      const { store } = useContext();
      const input = sampleImage('in');
      const mine = await store.createBatch(
        sampleBatch({ itemCount: 1, ownerId: alice, mode: 'image-to-image', params: { numberOfImages: 1, inputImages: [sampleImage('in0'), input] } }),
      );
      await runItem(store, mine.id, 1, succeeded('made'));
      const ownerless = await store.createBatch(sampleBatch({ itemCount: 1 }));
      await runItem(store, ownerless.id, 1, succeeded('legacy'));
      const theirs = await store.createBatch(
        sampleBatch({ itemCount: 1, ownerId: bob, mode: 'image-to-image', params: { numberOfImages: 1, inputImage: sampleImage('old-input') } }),
      );

      expect(await store.findImageOwner(sampleImage('made').imageId)).toEqual({ ownerId: alice });
      expect(await store.findImageOwner(input.imageId)).toEqual({ ownerId: alice });
      expect(await store.findImageOwner(sampleImage('in0').imageId)).toEqual({ ownerId: alice });
      // A batch stored before several input images existed kept one as `inputImage`.
      expect(await store.findImageOwner(sampleImage('old-input').imageId)).toEqual({ ownerId: bob });
      expect(await store.findImageOwner(sampleImage('legacy').imageId)).toEqual({ ownerId: null });
      expect(await store.findImageOwner(sampleImage('unknown').imageId)).toBeUndefined();
      expect(theirs.ownerId).toBe(bob);
    });

    it('forgets the images of a deleted batch', async () => {
      const { store } = useContext();
      const batch = await store.createBatch(sampleBatch({ itemCount: 1, ownerId: alice }));
      await runItem(store, batch.id, 1, succeeded('gone'));
      await store.deleteBatch(batch.id);
      expect(await store.findImageOwner(sampleImage('gone').imageId)).toBeUndefined();
    });
  });

  describe('fair share between owners', () => {
    /** Takes the first runnable item and starts it (a worker with free slots), `count` times; names whose it was. */
    async function serve(count: number, nameOf: (batchId: string) => string): Promise<string[]> {
      const { store } = useContext();
      const order: string[] = [];
      for (let turn = 0; turn < count; turn++) {
        const [next] = await store.listRunnableItems({ limit: 1 });
        if (!next) break;
        order.push(nameOf(next.batch.id));
        expect(await store.startItem({ batchId: next.batch.id, index: next.item.index })).toBeDefined();
      }
      return order;
    }

    it("an owner's 10-image batch created first does not make a later owner's 2-image batch wait: A, B, A, B, then A's rest", async () => {
      const { store } = useContext();
      const large = await store.createBatch(sampleBatch({ itemCount: 10, ownerId: alice }));
      const small = await store.createBatch(sampleBatch({ itemCount: 2, ownerId: bob }));
      const order = await serve(20, (batchId) => (batchId === large.id ? 'A' : batchId === small.id ? 'B' : '?'));
      expect(order).toEqual(['A', 'B', 'A', 'B', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A']);
    });

    it('an owner with many batches gets no more turns than an owner with one', async () => {
      const { store } = useContext();
      const aliceBatches: string[] = [];
      for (let count = 0; count < 3; count++) aliceBatches.push((await store.createBatch(sampleBatch({ itemCount: 4, ownerId: alice }))).id);
      const bobBatch = await store.createBatch(sampleBatch({ itemCount: 4, ownerId: bob }));
      const order = await serve(8, (batchId) => (batchId === bobBatch.id ? 'B' : `A${aliceBatches.indexOf(batchId) + 1}`));
      // Owners alternate; within Alice's turns her batches take turns too.
      expect(order).toEqual(['A1', 'B', 'A2', 'B', 'A3', 'B', 'A1', 'B']);
    });

    it('a new batch of the owner served last does not jump ahead of another owner', async () => {
      const { store } = useContext();
      const names = new Map<string, string>();
      names.set((await store.createBatch(sampleBatch({ itemCount: 5, ownerId: alice }))).id, 'A1');
      names.set((await store.createBatch(sampleBatch({ itemCount: 5, ownerId: bob }))).id, 'B');
      const nameOf = (batchId: string) => names.get(batchId) ?? '?';
      expect(await serve(3, nameOf)).toEqual(['A1', 'B', 'A1']);
      // Alice was served last: her new batch waits for Bob's turn, then takes hers.
      names.set((await store.createBatch(sampleBatch({ itemCount: 5, ownerId: alice }))).id, 'A2');
      expect(await serve(4, nameOf)).toEqual(['B', 'A2', 'B', 'A1']);
    });

    it('a newcomer goes ahead of an owner who has been served, and three owners share round-robin', async () => {
      const { store } = useContext();
      const large = await store.createBatch(sampleBatch({ itemCount: 20, ownerId: alice }));
      const names = new Map([[large.id, 'A']]);
      const nameOf = (batchId: string) => names.get(batchId) ?? '?';
      expect(await serve(3, nameOf)).toEqual(['A', 'A', 'A']);
      names.set((await store.createBatch(sampleBatch({ itemCount: 3, ownerId: bob }))).id, 'B');
      names.set((await store.createBatch(sampleBatch({ itemCount: 3, ownerId: 'user-carol' }))).id, 'C');
      expect(await serve(9, nameOf)).toEqual(['B', 'C', 'A', 'B', 'C', 'A', 'B', 'C', 'A']);
    });

    it('finished items keep the turn order: a worker that runs each item to its end alternates too', async () => {
      const { store } = useContext();
      const large = await store.createBatch(sampleBatch({ itemCount: 5, ownerId: alice }));
      const small = await store.createBatch(sampleBatch({ itemCount: 2, ownerId: bob }));
      const order: string[] = [];
      for (;;) {
        const [next] = await store.listRunnableItems({ limit: 1 });
        if (!next) break;
        order.push(next.batch.id === large.id ? 'A' : next.batch.id === small.id ? 'B' : '?');
        await runItem(store, next.batch.id, next.item.index, succeeded(`${order.length}`));
      }
      expect(order).toEqual(['A', 'B', 'A', 'B', 'A', 'A', 'A']);
    });
  });
}
