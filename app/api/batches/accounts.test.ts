import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchList, BatchView } from '@/lib/server';
import { apiRequest, createSignedInUser, createToken, signInAdmin, useAccountsTestApp, type Credentials } from '@/lib/server/testing/account-test-helpers';
import { readJson, routeContext, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { sampleBatch } from '@/lib/store/testing/conformance-context';
import { POST as generate } from '../generate/route';
import { POST as generateWithImage } from '../generate-with-image/route';
import { GET as getImage, HEAD as headImage } from '../images/[id]/route';
import { GET as getStorage } from '../storage/route';
import { POST as cancel } from './[id]/cancel/route';
import { GET as events } from './[id]/events/route';
import { POST as retry } from './[id]/retry/route';
import { DELETE as deleteBatch, GET as getBatch } from './[id]/route';
import { GET as zip } from './[id]/zip/route';
import { GET as listBatches, POST as createBatch } from './route';

afterEach(() => vi.unstubAllEnvs());

/** A request body that records whether anyone read it. */
function watchedBody(text: string) {
  let isRead = false;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        isRead = true;
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, isRead: () => isRead };
}

/** Every route that reads or changes a batch or an image, as one signed-in (or not) client calls it. */
function batchRoutes(credentials: Credentials, batchId: string, imageId: string) {
  const request = (method: string, path: string) => apiRequest(method, path, credentials);
  return {
    get: () => getBatch(request('GET', `/api/batches/${batchId}`), routeContext(batchId)),
    events: () => events(request('GET', `/api/batches/${batchId}/events`), routeContext(batchId)),
    zip: () => zip(request('GET', `/api/batches/${batchId}/zip`), routeContext(batchId)),
    image: () => getImage(request('GET', `/api/images/${imageId}`), routeContext(imageId)),
    imageHead: () => headImage(request('HEAD', `/api/images/${imageId}`), routeContext(imageId)),
    cancel: () => cancel(request('POST', `/api/batches/${batchId}/cancel`), routeContext(batchId)),
    retry: () => retry(request('POST', `/api/batches/${batchId}/retry`), routeContext(batchId)),
    delete: () => deleteBatch(request('DELETE', `/api/batches/${batchId}`), routeContext(batchId)),
  };
}

async function pngInput(): Promise<File> {
  const bytes = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#cc3366' } }).png().toBuffer();
  return new File([new Uint8Array(bytes)], 'input.png', { type: 'image/png' });
}

describe('accounts on: nothing without signing in', () => {
  it('every batch route answers 401 with what to do, before reading any body, and creates nothing', async () => {
    const { opened, generateSpy } = await useAccountsTestApp();
    // A batch exists: its id gets a 401 too, not a 404 or its data.
    const existing = await opened.store.batches.createBatch(sampleBatch({ itemCount: 1 }));
    const imageId = '0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab.png';
    const bodies: ReturnType<typeof watchedBody>[] = [];
    const post = (path: string, text = '{"prompt": "sneaky", "numberOfImages": 3}') => {
      const watched = watchedBody(text);
      bodies.push(watched);
      return new Request(`http://127.0.0.1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: watched.body, duplex: 'half' } as RequestInit);
    };
    const calls: [string, () => Promise<Response>][] = [
      ['POST /api/batches', () => createBatch(post('/api/batches'))],
      ['POST /api/batches (not JSON)', () => createBatch(post('/api/batches', '{{{'))],
      ['POST /api/generate', () => generate(post('/api/generate'))],
      ['POST /api/generate-with-image', () => generateWithImage(post('/api/generate-with-image'))],
      ['GET /api/batches', () => listBatches(apiRequest('GET', '/api/batches'))],
      ['GET /api/storage', () => getStorage(apiRequest('GET', '/api/storage'))],
      ...Object.entries(batchRoutes({}, existing.id, imageId)),
    ];
    for (const [name, call] of calls) {
      const response = await call();
      expect(response.status, name).toBe(401);
      expect(response.headers.get('www-authenticate'), name).toBe('Bearer');
      expect((await response.json()).error, name).toBe('Sign in first: on the page (/sign-in), or send an API token as "Authorization: Bearer <token>".');
    }
    expect(bodies.map((body) => body.isRead())).toEqual([false, false, false, false]);
    expect((await opened.store.batches.usage()).batchCount).toBe(1);
    expect(await opened.store.batches.getBatch(existing.id)).toMatchObject({ status: 'queued' });
    expect(generateSpy).not.toHaveBeenCalled();
  });

  it('a made-up or stale cookie is no better than none', async () => {
    await useAccountsTestApp();
    for (const cookie of ['imagegen_session=made-up', 'imagegen_session=', 'other=1']) {
      expect((await listBatches(apiRequest('GET', '/api/batches', { cookie }))).status, cookie).toBe(401);
    }
  });
});

describe("accounts on: a user's batches and images are theirs (the admin sees all)", () => {
  async function setUp() {
    const testApp = await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const alice = await createSignedInUser(adminCookie, 'alice');
    const bob = await createSignedInUser(adminCookie, 'bob');
    const form = new FormData();
    form.set('prompt', 'alice private picture');
    form.set('numberOfImages', '2');
    form.set('image', await pngInput());
    const created = await createBatch(new Request('http://127.0.0.1/api/batches', { method: 'POST', headers: { cookie: alice.cookie }, body: form }));
    expect(created.status).toBe(202);
    const { id } = await readJson<BatchView>(created);
    await waitForBatchEnd(testApp.opened, id);
    const batch = await readJson<BatchView>(await getBatch(apiRequest('GET', `/api/batches/${id}`, { cookie: alice.cookie }), routeContext(id)));
    const madeImageId = batch.items![0]!.imageId!;
    const inputImageId = batch.inputImageUrl!.split('/').at(-1)!;
    const bobsBatch = await readJson<BatchView>(await createBatch(apiRequest('POST', '/api/batches', { cookie: bob.cookie }, { prompt: 'bob', numberOfImages: 1 })));
    await waitForBatchEnd(testApp.opened, bobsBatch.id);
    return { ...testApp, adminCookie, alice, bob, batch, madeImageId, inputImageId, bobsBatch };
  }

  it("another user gets the same 404 as for an unknown id on every route, and changes nothing", async () => {
    const { opened, alice, bob, batch, madeImageId, inputImageId } = await setUp();
    const { secret: bobsToken } = await createToken(bob.cookie);
    const unknownBody = await (await getBatch(apiRequest('GET', '/api/batches/no-such-batch', { cookie: bob.cookie }), routeContext('no-such-batch'))).json();

    for (const credentials of [{ cookie: bob.cookie }, { token: bobsToken }]) {
      for (const imageId of [madeImageId, inputImageId]) {
        for (const [name, call] of Object.entries(batchRoutes(credentials, batch.id, imageId))) {
          const response = await call();
          expect(response.status, `${name} ${imageId}`).toBe(404);
          if (name === 'get') expect(await response.json()).toEqual(unknownBody);
        }
      }
      const list = await readJson<BatchList>(await listBatches(apiRequest('GET', '/api/batches', credentials)));
      expect(list.batches.map((listed) => listed.prompt)).toEqual(['bob']);
      // Alice's id as a page cursor is just a bad cursor.
      expect((await listBatches(apiRequest('GET', `/api/batches?before=${batch.id}`, credentials))).status).toBe(400);
      expect(await readJson(await getStorage(apiRequest('GET', '/api/storage', credentials)))).toMatchObject({ batchCount: 1, imageCount: 1 });
    }

    // Bob's delete and cancel did nothing: Alice still has it all.
    expect(await opened.store.batches.getBatch(batch.id)).toMatchObject({ status: 'completed', succeeded: 2 });
    for (const [name, call] of Object.entries(batchRoutes({ cookie: alice.cookie }, batch.id, madeImageId))) {
      if (name === 'delete') continue;
      const response = await call();
      expect(response.status, name).toBe(200);
      if (name === 'image') expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      await response.arrayBuffer();
    }
    expect((await batchRoutes({ cookie: alice.cookie }, batch.id, inputImageId).image()).status).toBe(200);
    expect(await readJson(await getStorage(apiRequest('GET', '/api/storage', { cookie: alice.cookie })))).toMatchObject({ batchCount: 1, imageCount: 2 });
  });

  it('the admin sees and manages every batch and image', async () => {
    const { adminCookie, batch, madeImageId, inputImageId, bobsBatch } = await setUp();
    const list = await readJson<BatchList>(await listBatches(apiRequest('GET', '/api/batches', { cookie: adminCookie })));
    expect(list.batches.map((listed) => listed.id)).toEqual([bobsBatch.id, batch.id]);
    const routes = batchRoutes({ cookie: adminCookie }, batch.id, madeImageId);
    for (const call of [routes.get, routes.events, routes.zip, routes.image, routes.imageHead]) {
      const response = await call();
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    expect((await batchRoutes({ cookie: adminCookie }, batch.id, inputImageId).image()).status).toBe(200);
    expect(await readJson(await getStorage(apiRequest('GET', '/api/storage', { cookie: adminCookie })))).toMatchObject({ batchCount: 2, imageCount: 3 });
    expect((await routes.delete()).status).toBe(204);
    expect((await routes.get()).status).toBe(404);
  });

  it('the owner cancels, retries and deletes their own batch', async () => {
    const { opened, generateSpy } = await useAccountsTestApp({ DEMO_FAIL_INDEXES: '2' });
    const alice = await createSignedInUser(await signInAdmin(), 'alice');
    const created = await readJson<BatchView>(await createBatch(apiRequest('POST', '/api/batches', { cookie: alice.cookie }, { prompt: 'mine', numberOfImages: 2 })));
    await waitForBatchEnd(opened, created.id);
    const routes = batchRoutes({ cookie: alice.cookie }, created.id, 'unused.png');
    expect(await readJson(await routes.get())).toMatchObject({ status: 'partial', failed: 1 });
    generateSpy.mockClear();
    const retried = await routes.retry();
    expect(retried.status).toBe(202);
    expect(await readJson(retried)).toMatchObject({ requeuedCount: 1 });
    await waitForBatchEnd(opened, created.id);
    expect(generateSpy).toHaveBeenCalledTimes(1);
    expect((await routes.cancel()).status).toBe(200);
    expect((await routes.delete()).status).toBe(204);
  });

  it('a batch made while accounts were off (no owner) is the admin\'s to see, not a user\'s', async () => {
    const { opened, adminCookie, alice } = await setUp();
    const ownerless = await opened.store.batches.createBatch(sampleBatch({ itemCount: 1 }));
    await opened.queue.cancel(ownerless.id);
    expect((await batchRoutes({ cookie: alice.cookie }, ownerless.id, 'unused.png').get()).status).toBe(404);
    expect((await batchRoutes({ cookie: adminCookie }, ownerless.id, 'unused.png').get()).status).toBe(200);
    const aliceList = await readJson<BatchList>(await listBatches(apiRequest('GET', '/api/batches', { cookie: alice.cookie })));
    expect(aliceList.batches.map((listed) => listed.id)).not.toContain(ownerless.id);
  });
});
