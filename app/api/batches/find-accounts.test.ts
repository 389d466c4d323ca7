import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchItemView, BatchList, BatchView } from '@/lib/server';
import { apiRequest, createSignedInUser, signInAdmin, useAccountsTestApp, type Credentials } from '@/lib/server/testing/account-test-helpers';
import { readJson, routeContext, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { readZip } from '@/lib/server/testing/read-zip';
import { POST as zip } from '../zip/route';
import { POST as favorite } from './[id]/items/[index]/favorite/route';
import { DELETE as deleteImage } from './[id]/items/[index]/route';
import { GET as getBatch } from './[id]/route';
import { GET as listBatches, POST as createBatch } from './route';

afterEach(() => vi.unstubAllEnvs());

const itemContext = (id: string, index: number) => ({ params: Promise.resolve({ id, index: String(index) }) });

/** The find-and-keep routes as one client calls them. */
function findRoutes(credentials: Credentials) {
  return {
    favorite: (batchId: string, index: number, isFavorite = true) =>
      favorite(apiRequest('POST', `/api/batches/${batchId}/items/${index}/favorite`, credentials, { favorite: isFavorite }), itemContext(batchId, index)),
    deleteImage: (batchId: string, index: number) => deleteImage(apiRequest('DELETE', `/api/batches/${batchId}/items/${index}`, credentials), itemContext(batchId, index)),
    zip: (images: string[]) => zip(apiRequest('POST', '/api/zip', credentials, { images })),
    list: async (query: string) => readJson<BatchList>(await listBatches(apiRequest('GET', `/api/batches?${query}`, credentials))),
    get: async (batchId: string) => readJson<BatchView>(await getBatch(apiRequest('GET', `/api/batches/${batchId}`, credentials), routeContext(batchId))),
  };
}

async function setUp() {
  const testApp = await useAccountsTestApp({ DEMO_LATENCY_MS: '5' });
  const adminCookie = await signInAdmin();
  const alice = await createSignedInUser(adminCookie, 'alice');
  const bob = await createSignedInUser(adminCookie, 'bob');
  const made: Record<string, BatchView> = {};
  for (const [name, cookie, prompt] of [
    ['alice', alice.cookie, 'a shared word: lighthouse'],
    ['bob', bob.cookie, 'another lighthouse'],
  ] as const) {
    const created = await readJson<BatchView>(await createBatch(apiRequest('POST', '/api/batches', { cookie }, { prompt, numberOfImages: 2 })));
    await waitForBatchEnd(testApp.opened, created.id);
    made[name] = await findRoutes({ cookie }).get(created.id);
  }
  return { ...testApp, adminCookie, alice, bob, alicesBatch: made.alice!, bobsBatch: made.bob! };
}

describe("accounts on: favorites, deleted images, search and ZIPs stay within the user's own batches", () => {
  it("another user's batch or image gets the same 404 as an unknown one, and nothing changes", async () => {
    const { opened, bob, alicesBatch } = await setUp();
    const asBob = findRoutes({ cookie: bob.cookie });
    const alicesImage = alicesBatch.items![0]!;

    const favorited = await asBob.favorite(alicesBatch.id, 1);
    expect(favorited.status).toBe(404);
    expect((await favorited.json()).error).toBe('No batch with this id.');
    const deleted = await asBob.deleteImage(alicesBatch.id, 1);
    expect(deleted.status).toBe(404);
    expect((await deleted.json()).error).toBe('No batch with this id.');
    const zipped = await asBob.zip([alicesImage.imageId!]);
    expect(zipped.status).toBe(404);
    expect((await zipped.json()).error).toBe('No image with the id in images[0].');

    const stored = (await opened.store.batches.getBatch(alicesBatch.id))!;
    expect(stored.items.map((item) => [item.isFavorite, item.imageDeletedAt, item.image?.imageId])).toEqual([
      [undefined, undefined, alicesImage.imageId],
      [undefined, undefined, alicesBatch.items![1]!.imageId],
    ]);
  });

  it("a ZIP of one's own images with one of someone else's is refused whole", async () => {
    const { alice, alicesBatch, bobsBatch } = await setUp();
    const response = await findRoutes({ cookie: alice.cookie }).zip([alicesBatch.items![0]!.imageId!, bobsBatch.items![1]!.imageId!]);
    expect(response.status).toBe(404);
    expect((await response.json()).error).toBe('No image with the id in images[1].');
  });

  it('each user searches and filters their own batches only; the admin finds everyone’s and may act on them', async () => {
    const { alice, bob, adminCookie, alicesBatch, bobsBatch } = await setUp();
    const asAlice = findRoutes({ cookie: alice.cookie });
    expect((await asAlice.list('q=lighthouse')).batches.map((batch) => batch.id)).toEqual([alicesBatch.id]);
    expect((await findRoutes({ cookie: bob.cookie }).list('q=lighthouse&status=completed')).batches.map((batch) => batch.id)).toEqual([bobsBatch.id]);

    expect((await asAlice.favorite(alicesBatch.id, 2)).status).toBe(200);
    expect((await asAlice.list('favorites=1')).batches.map((batch) => batch.id)).toEqual([alicesBatch.id]);
    expect((await findRoutes({ cookie: bob.cookie }).list('favorites=1')).batches).toEqual([]);

    const asAdmin = findRoutes({ cookie: adminCookie });
    expect((await asAdmin.list('q=LIGHTHOUSE')).batches.map((batch) => batch.id)).toEqual([bobsBatch.id, alicesBatch.id]);
    const favored = await asAdmin.favorite(bobsBatch.id, 1);
    expect((await readJson<{ item: BatchItemView }>(favored)).item.isFavorite).toBe(true);
    const zipped = await asAdmin.zip([alicesBatch.items![1]!.imageId!, bobsBatch.items![0]!.imageId!]);
    expect(zipped.status).toBe(200);
    expect(readZip(Buffer.from(await zipped.arrayBuffer())).map((entry) => entry.name)).toHaveLength(3);
    expect((await asAdmin.deleteImage(alicesBatch.id, 1)).status).toBe(200);
    expect((await asAlice.get(alicesBatch.id)).items![0]!.imageDeletedAt).toEqual(expect.any(String));
  });

  it('every find-and-keep route answers 401 without signing in', async () => {
    const { alicesBatch } = await setUp();
    const signedOut = findRoutes({});
    for (const response of [await signedOut.favorite(alicesBatch.id, 1), await signedOut.deleteImage(alicesBatch.id, 1), await signedOut.zip([alicesBatch.items![0]!.imageId!])]) {
      expect(response.status).toBe(401);
    }
    const listed = await listBatches(apiRequest('GET', '/api/batches?q=lighthouse'));
    expect(listed.status).toBe(401);
  });
});
