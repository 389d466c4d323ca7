import type { APIRequestContext } from '@playwright/test';
import { adminCredentials, expect, test } from './accounts-test';
import { expectImagesLoaded, startBatch } from './helpers';

/**
 * Each user's batches and images are theirs: another user can neither see them on the page nor
 * reach them through any batch or image route (404, as for an id that does not exist). The admin
 * sees everyone's.
 */

interface BatchBody {
  id: string;
  status: string;
  items: { index: number; status: string; imageId?: string; imageUrl?: string }[];
}

async function batchIds(request: APIRequestContext): Promise<string[]> {
  const response = await request.get('/api/batches?limit=100');
  expect(response.status()).toBe(200);
  return ((await response.json()) as { batches: { id: string }[] }).batches.map((batch) => batch.id);
}

test("user A's batch and images are invisible to user B, on the page and through the API; the admin sees both", async ({
  admin,
  createUser,
  openAs,
  signedInRequest,
  allowConsoleErrors,
}) => {
  test.setTimeout(60_000);
  // B opens A's image address in the browser: the refusal (404) is logged as a failed resource.
  allowConsoleErrors(/status of 404/);
  const alice = await createUser('alice');
  const bob = await createUser('bob');

  // A makes a batch of two demo images on the page and waits for it.
  const asAlice = await openAs(alice);
  const alicePrompt = `alice's private lighthouse ${alice.id}`;
  const aliceBatchId = await asAlice.generator.generate(alicePrompt, 2);
  await asAlice.generator.waitForBatchEnd(2);
  await expectImagesLoaded(asAlice.generator.card(aliceBatchId).getByTestId('gallery-image'), 2);
  const aliceApi = await signedInRequest(alice);
  const aliceBatch = (await (await aliceApi.get(`/api/batches/${aliceBatchId}`)).json()) as BatchBody;
  expect(aliceBatch.status).toBe('completed');
  const imageId = aliceBatch.items[0]?.imageId;
  expect(imageId).toBeTruthy();

  // B has a batch of their own, so their gallery is not simply empty.
  const bobApi = await signedInRequest(bob);
  const bobPrompt = `bob's own windmill ${bob.id}`;
  const bobBatchId = await startBatch(bobApi, { prompt: bobPrompt, numberOfImages: 1 });
  await expect.poll(async () => ((await (await bobApi.get(`/api/batches/${bobBatchId}`)).json()) as BatchBody).status).toBe('completed');

  // B's page: their batch, not A's.
  const asBob = await openAs(bob);
  await expect(asBob.generator.card(bobBatchId)).toBeVisible();
  await expect(asBob.generator.card(aliceBatchId)).toHaveCount(0);
  await expect(asBob.page.getByText(alicePrompt)).toHaveCount(0);
  await expect(asBob.generator.galleryImages).toHaveCount(1);

  // B, with the page's session cookie and with their own API client: every route answers 404.
  for (const bobRequest of [asBob.page.request, bobApi]) {
    expect(await batchIds(bobRequest)).not.toContain(aliceBatchId);
    const reads = [`/api/batches/${aliceBatchId}`, `/api/images/${imageId}`, `/api/batches/${aliceBatchId}/zip`, `/api/batches/${aliceBatchId}/events`];
    for (const path of reads) expect((await bobRequest.get(path)).status(), `GET ${path}`).toBe(404);
    expect((await bobRequest.post(`/api/batches/${aliceBatchId}/cancel`)).status(), 'cancel').toBe(404);
    expect((await bobRequest.post(`/api/batches/${aliceBatchId}/retry`)).status(), 'retry').toBe(404);
    expect((await bobRequest.delete(`/api/batches/${aliceBatchId}`)).status(), 'delete').toBe(404);
  }
  // The image as the browser would open it: a 404 page, not the picture.
  const opened = await asBob.page.goto(`/api/images/${imageId}`);
  expect(opened?.status()).toBe(404);

  // A still has it all.
  expect((await aliceApi.get(`/api/batches/${aliceBatchId}`)).status()).toBe(200);
  const image = await aliceApi.get(`/api/images/${imageId}`);
  expect(image.status()).toBe(200);
  expect(image.headers()['content-type']).toMatch(/^image\//);
  expect((await aliceApi.get(`/api/batches/${aliceBatchId}/zip`)).status()).toBe(200);
  expect(await batchIds(aliceApi)).not.toContain(bobBatchId);
  await asAlice.page.reload();
  await expectImagesLoaded(asAlice.generator.card(aliceBatchId).getByTestId('gallery-image'), 2);
  await expect(asAlice.generator.card(bobBatchId)).toHaveCount(0);

  // The admin sees both, through the API and on the page.
  expect(await batchIds(admin)).toEqual(expect.arrayContaining([aliceBatchId, bobBatchId]));
  expect((await admin.get(`/api/images/${imageId}`)).status()).toBe(200);
  const asAdmin = await openAs(adminCredentials);
  await expect(asAdmin.generator.card(aliceBatchId)).toBeVisible();
  await expect(asAdmin.generator.card(bobBatchId)).toBeVisible();
});

test('a signed-out client gets 401 from every batch route, and never the batch', async ({ request, createUser, signedInRequest }) => {
  const carol = await createUser('carol');
  const batchId = await startBatch(await signedInRequest(carol), { prompt: 'carol, signed in', numberOfImages: 1 });
  for (const path of ['/api/batches', `/api/batches/${batchId}`, `/api/batches/${batchId}/events`, `/api/batches/${batchId}/zip`, '/api/storage']) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(/Sign in/);
  }
  expect((await request.post('/api/batches', { data: { prompt: 'anonymous', numberOfImages: 1 } })).status()).toBe(401);
  expect((await request.post(`/api/batches/${batchId}/cancel`)).status()).toBe(401);
});
