import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextUtcMidnight, type Quota } from '@/lib/core';
import { openaiResponses, startFakeOpenAIServer, type FakeHttpServer } from '@/lib/providers/testing';
import { getProvidersCatalog, type BatchList, type BatchView } from '@/lib/server';
import { apiRequest, createSignedInUser, createToken, signInAdmin, useAccountsTestApp, type Credentials } from '@/lib/server/testing/account-test-helpers';
import { readJson, routeContext, waitForBatchEnd, waitUntil } from '@/lib/server/testing/batch-test-helpers';
import { POST as generate } from '../generate/route';
import { POST as updateUser } from '../users/[id]/route';
import { POST as cancel } from './[id]/cancel/route';
import { POST as retry } from './[id]/retry/route';
import { GET as getBatch } from './[id]/route';
import { GET as listBatches, POST as createBatch } from './route';

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const create = (credentials: Credentials, body: Record<string, unknown>) => createBatch(apiRequest('POST', '/api/batches', credentials, body));

/** A signed-in user with this quota on a fresh accounts app (demo provider unless `env` says otherwise). */
async function userWithQuota(quota: Quota, env: Record<string, string> = {}) {
  const testApp = await useAccountsTestApp(env);
  const adminCookie = await signInAdmin();
  const alice = await createSignedInUser(adminCookie, 'alice', quota);
  const batchCount = async () => (await readJson<BatchList>(await listBatches(apiRequest('GET', '/api/batches', { cookie: adminCookie })))).batches.length;
  return { ...testApp, adminCookie, alice, batchCount };
}

/** Expects a quota refusal: status, the limit named, and for daily limits the next UTC midnight with a matching Retry-After. */
async function expectRefusal(response: Response, status: 403 | 429, limit: keyof Quota) {
  const before = new Date();
  const body = await readJson<{ error: string; limit: string; resetsAt?: string }>(response);
  expect(response.status, body.error).toBe(status);
  expect(body.limit).toBe(limit);
  if (limit === 'imagesPerDay' || limit === 'spendPerDayUsd') {
    const midnight = nextUtcMidnight(before);
    expect(body.resetsAt).toBe(midnight.toISOString());
    expect(body.error).toContain(`it resets at ${body.resetsAt}`);
    const retryAfterSeconds = Number(response.headers.get('retry-after'));
    expect(Math.abs(retryAfterSeconds - (midnight.getTime() - before.getTime()) / 1000)).toBeLessThan(5);
  } else {
    expect(body).not.toHaveProperty('resetsAt');
    expect(response.headers.get('retry-after')).toBeNull();
  }
  return body;
}

describe('quotas: 429 when it will fit later (with the reset time), 403 when it never will; nothing is created', () => {
  it('imagesPerDay: a batch that would pass it is a 429 with resetsAt = the next UTC midnight and Retry-After', async () => {
    const { alice, batchCount, generateSpy, opened } = await userWithQuota({ imagesPerDay: 5 });
    const first = await readJson<BatchView>(await create({ cookie: alice.cookie }, { prompt: 'three', numberOfImages: 3 }));
    await waitForBatchEnd(opened, first.id);

    const refused = await expectRefusal(await create({ cookie: alice.cookie }, { prompt: 'three more', numberOfImages: 3 }), 429, 'imagesPerDay');
    expect(refused.error).toMatch(/may ask for 5 images a day and has 2 left today/);
    expect(await batchCount()).toBe(1);
    expect(generateSpy).toHaveBeenCalledTimes(3);

    // Exactly what is left fits; then nothing does, on the classic route too.
    expect((await create({ cookie: alice.cookie }, { prompt: 'two', numberOfImages: 2 })).status).toBe(202);
    await expectRefusal(await generate(apiRequest('POST', '/api/generate', { cookie: alice.cookie }, { prompt: 'one' })), 429, 'imagesPerDay');
    expect(await batchCount()).toBe(2);
  });

  it("imagesPerDay: canceled images give their share back", async () => {
    const { alice, opened } = await userWithQuota({ imagesPerDay: 4 }, { DEMO_LATENCY_MS: '60000' });
    const held = await readJson<BatchView>(await create({ cookie: alice.cookie }, { prompt: 'held', numberOfImages: 4 }));
    await cancel(apiRequest('POST', `/api/batches/${held.id}/cancel`, { cookie: alice.cookie }), routeContext(held.id));
    await waitForBatchEnd(opened, held.id);
    expect(await opened.store.batches.getBatch(held.id)).toMatchObject({ status: 'canceled', canceled: 4 });
    expect((await create({ cookie: alice.cookie }, { prompt: 'again', numberOfImages: 4 })).status).toBe(202);
  });

  it('concurrentBatches: a 429 while the limit is running, with no reset time; fine once one ends; two at once cannot both fit', async () => {
    const { alice, batchCount, opened } = await userWithQuota({ concurrentBatches: 1 }, { DEMO_LATENCY_MS: '60000' });
    const running = await readJson<BatchView>(await create({ cookie: alice.cookie }, { prompt: 'slow', numberOfImages: 1 }));
    const refused = await expectRefusal(await create({ cookie: alice.cookie }, { prompt: 'another' }), 429, 'concurrentBatches');
    expect(refused.error).toMatch(/already has 1 batches queued or running \(the limit is 1\)/);
    expect(await batchCount()).toBe(1);

    await cancel(apiRequest('POST', `/api/batches/${running.id}/cancel`, { cookie: alice.cookie }), routeContext(running.id));
    await waitForBatchEnd(opened, running.id);
    const racing = await Promise.all([1, 2, 3].map(() => create({ cookie: alice.cookie }, { prompt: 'race', numberOfImages: 1 })));
    expect(racing.map((response) => response.status).sort()).toEqual([202, 429, 429]);
    expect(await batchCount()).toBe(2);
    for (const batch of (await opened.store.batches.listBatches()).batches) await opened.queue.cancel(batch.id);
  });

  it('maxBatchImages: more images in one batch (prompts × images count) is a 403; no input image is kept', async () => {
    const { alice, batchCount, dataDirectory } = await userWithQuota({ maxBatchImages: 2 });
    const refused = await expectRefusal(await create({ cookie: alice.cookie }, { prompt: 'three', numberOfImages: 3 }), 403, 'maxBatchImages');
    expect(refused.error).toBe('This batch has 3 images; your account may ask for at most 2 in one batch.');
    await expectRefusal(await create({ cookie: alice.cookie }, { prompts: ['a', 'b'], numberOfImages: 2 }), 403, 'maxBatchImages');

    const form = new FormData();
    form.set('prompt', 'with an input');
    form.set('numberOfImages', '3');
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } }).png().toBuffer();
    form.set('image', new File([new Uint8Array(png)], 'input.png', { type: 'image/png' }));
    const multipart = await createBatch(new Request('http://127.0.0.1/api/batches', { method: 'POST', headers: { cookie: alice.cookie }, body: form }));
    await expectRefusal(multipart, 403, 'maxBatchImages');
    expect((await readdir(join(dataDirectory, 'images'))).filter((name) => !name.startsWith('.'))).toEqual([]);
    expect(await batchCount()).toBe(0);
    expect((await create({ cookie: alice.cookie }, { prompt: 'two', numberOfImages: 2 })).status).toBe(202);
  });

  it('allowedModels: a provider or provider/model not listed is a 403 that names what is allowed', async () => {
    const { alice, adminCookie, batchCount } = await userWithQuota({ allowedModels: ['gemini'] });
    const demoModelId = getProvidersCatalog().default.model;
    const setQuota = async (quota: Quota) => {
      const response = await updateUser(apiRequest('POST', `/api/users/${alice.user.id}`, { cookie: adminCookie }, { quota }), routeContext(alice.user.id));
      expect(response.status).toBe(200);
    };
    const refused = await expectRefusal(await create({ cookie: alice.cookie }, { prompt: 'demo' }), 403, 'allowedModels');
    expect(refused.error).toBe(`Your account may not use demo/${demoModelId}; allowed: gemini.`);
    await setQuota({ allowedModels: ['demo/another-model'] });
    await expectRefusal(await create({ cookie: alice.cookie }, { prompt: 'demo' }), 403, 'allowedModels');
    expect(await batchCount()).toBe(0);
    // A quota change applies to the next request, on the same session.
    await setQuota({ allowedModels: [`demo/${demoModelId}`] });
    expect((await create({ cookie: alice.cookie }, { prompt: 'demo' })).status).toBe(202);
    await setQuota({ allowedModels: ['demo'] });
    expect((await create({ cookie: alice.cookie }, { prompt: 'demo' })).status).toBe(202);
  });

  it('a retry is checked like a new batch: a model taken off the allowed list cannot be retried (403), the batch stays as it was', async () => {
    const { alice, adminCookie, opened, generateSpy } = await userWithQuota({ allowedModels: ['demo'] }, { DEMO_FAIL_INDEXES: '2' });
    const created = await readJson<BatchView>(await create({ cookie: alice.cookie }, { prompt: 'one fails', numberOfImages: 2 }));
    await waitForBatchEnd(opened, created.id);
    expect(await opened.store.batches.getBatch(created.id)).toMatchObject({ status: 'partial', failed: 1 });
    const setQuota = (quota: Quota) => updateUser(apiRequest('POST', `/api/users/${alice.user.id}`, { cookie: adminCookie }, { quota }), routeContext(alice.user.id));
    expect((await setQuota({ allowedModels: ['gemini'] })).status).toBe(200);
    generateSpy.mockClear();

    await expectRefusal(await retry(apiRequest('POST', `/api/batches/${created.id}/retry`, { cookie: alice.cookie }), routeContext(created.id)), 403, 'allowedModels');
    expect(await opened.store.batches.getBatch(created.id)).toMatchObject({ status: 'partial', failed: 1 });
    expect(generateSpy).not.toHaveBeenCalled();

    expect((await setQuota({})).status).toBe(200);
    const retried = await retry(apiRequest('POST', `/api/batches/${created.id}/retry`, { cookie: alice.cookie }), routeContext(created.id));
    expect(retried.status).toBe(202);
    await waitForBatchEnd(opened, created.id);
  });

  it("a token's quota applies on top of its user's, counted over the token's own batches", async () => {
    const { alice, batchCount } = await userWithQuota({ imagesPerDay: 10, maxBatchImages: 4 });
    const { secret } = await createToken(alice.cookie, 'ci', { imagesPerDay: 2, allowedModels: ['demo'] });
    // The user's own batches do not use up the token's allowance.
    expect((await create({ cookie: alice.cookie }, { prompt: 'by hand', numberOfImages: 4 })).status).toBe(202);

    const overToken = await expectRefusal(await create({ token: secret }, { prompt: 'ci', numberOfImages: 3 }), 429, 'imagesPerDay');
    expect(overToken.error).toMatch(/this API token may ask for 2 images a day/);
    expect((await create({ token: secret }, { prompt: 'ci', numberOfImages: 2 })).status).toBe(202);
    await expectRefusal(await create({ token: secret }, { prompt: 'ci', numberOfImages: 1 }), 429, 'imagesPerDay');

    // The user's limits bind the token too, and name the account.
    const { secret: unlimited } = await createToken(alice.cookie, 'no own quota');
    const overUser = await expectRefusal(await create({ token: unlimited }, { prompt: 'big', numberOfImages: 5 }), 403, 'maxBatchImages');
    expect(overUser.error).toMatch(/your account may ask for at most 4/);
    expect((await create({ cookie: alice.cookie }, { prompt: 'still fine', numberOfImages: 4 })).status).toBe(202);
    // 4 + 2 + 4 = 10: the account's day is used up, whichever way it asks.
    await expectRefusal(await create({ token: unlimited }, { prompt: 'one more' }), 429, 'imagesPerDay');
    expect(await batchCount()).toBe(3);
  });

  it('an admin without a quota, and another user, are not limited by this one', async () => {
    const { alice, adminCookie } = await userWithQuota({ maxBatchImages: 1 });
    expect((await create({ cookie: adminCookie }, { prompt: 'admin', numberOfImages: 5 })).status).toBe(202);
    const bob = await createSignedInUser(adminCookie, 'bob');
    expect((await create({ cookie: bob.cookie }, { prompt: 'bob', numberOfImages: 5 })).status).toBe(202);
    await expectRefusal(await create({ cookie: alice.cookie }, { prompt: 'alice', numberOfImages: 2 }), 403, 'maxBatchImages');
  });
});

describe('the per-day spend cap holds (a priced model on a local fake of OpenAI)', () => {
  const openaiKey = 'sk-test-0123456789abcdefghijklmnop';

  /** OpenAI with `chatgpt-image-latest` priced at $0.01 an image; a prompt containing "held" is answered after a minute. */
  async function pricedApp(quota: Quota) {
    const server = await startFakeOpenAIServer();
    servers.push(server);
    const answer = openaiResponses.imageFor();
    server.respondAlways(async (request) => {
      const scripted = await (typeof answer === 'function' ? answer(request) : answer);
      const prompt = String((request.json as { prompt?: string } | undefined)?.prompt ?? request.form?.fields.prompt ?? '');
      return prompt.includes('held') ? { ...scripted, delayMs: 60_000 } : scripted;
    });
    const testApp = await userWithQuota(quota, {
      IMAGE_PROVIDER: 'openai',
      OPENAI_API_KEY: openaiKey,
      OPENAI_BASE_URL: server.baseUrl,
      OPENAI_PRICE_PER_IMAGE_USD: 'chatgpt-image-latest=0.01',
    });
    const spentToday = async () => (await testApp.opened.store.batches.activity({ ownerId: testApp.alice.user.id }, new Date(Date.now() - 24 * 60 * 60_000))).spentUsdSince;
    return { ...testApp, server, spentToday };
  }

  const priced = { provider: 'openai', model: 'chatgpt-image-latest' };

  it('refuses a batch whose estimate passes what is left (429), caps each batch at what is left, and the day ends within the cap', async () => {
    const { alice, opened, server, spentToday, batchCount } = await pricedApp({ spendPerDayUsd: 0.05 });
    const tooMuch = await expectRefusal(await create({ cookie: alice.cookie }, { ...priced, prompt: 'six', numberOfImages: 6 }), 429, 'spendPerDayUsd');
    expect(tooMuch.error).toMatch(/may spend \$0\.05 a day and has \$0\.05 left today \(this batch is estimated at \$0\.06\)/);
    expect(server.requests).toHaveLength(0);
    expect(await batchCount()).toBe(0);

    const first = await readJson<BatchView>(await create({ cookie: alice.cookie }, { ...priced, prompt: 'three', numberOfImages: 3 }));
    expect(first).toMatchObject({ estimatedCostUsd: 0.03, maxCostUsd: 0.05 });
    // Running or not, the first batch's $0.03 is spoken for: $0.02 is left.
    const over = await expectRefusal(await create({ cookie: alice.cookie }, { ...priced, prompt: 'three more', numberOfImages: 3 }), 429, 'spendPerDayUsd');
    expect(over.error).toMatch(/has \$0\.02 left today/);
    const second = await readJson<BatchView>(await create({ cookie: alice.cookie }, { ...priced, prompt: 'two', numberOfImages: 2, maxCostUsd: 1 }));
    expect(second).toMatchObject({ estimatedCostUsd: 0.02, maxCostUsd: 0.02 });

    await waitForBatchEnd(opened, first.id);
    await waitForBatchEnd(opened, second.id);
    for (const batch of [first, second]) {
      const ended = await readJson<BatchView>(await getBatch(apiRequest('GET', `/api/batches/${batch.id}`, { cookie: alice.cookie }), routeContext(batch.id)));
      expect(ended.status).toBe('completed');
    }
    expect(await spentToday()).toBeCloseTo(0.05, 9);
    expect(await spentToday()).toBeLessThanOrEqual(0.05 + 1e-9);

    // Nothing is left today, not even for a free model.
    await expectRefusal(await create({ cookie: alice.cookie }, { ...priced, prompt: 'one' }), 429, 'spendPerDayUsd');
    await expectRefusal(await create({ cookie: alice.cookie }, { provider: 'demo', prompt: 'free' }), 429, 'spendPerDayUsd');
    expect(server.requests).toHaveLength(5);
  });

  it('when images cost more than estimated, the batch stops at the day\'s cap (cost_limit) instead of passing it', async () => {
    const { alice, opened, spentToday } = await pricedApp({ spendPerDayUsd: 0.04 });
    // Low quality is estimated at $0.008 an image; the fake reports tokens worth a little more.
    const created = await readJson<BatchView>(await create({ cookie: alice.cookie }, { provider: 'openai', model: 'gpt-image-2.5-flare', quality: 'low', prompt: 'a red fox', numberOfImages: 5 }));
    expect(created).toMatchObject({ estimatedCostUsd: 0.04, maxCostUsd: 0.04 });
    await waitForBatchEnd(opened, created.id);
    const ended = await readJson<BatchView>(await getBatch(apiRequest('GET', `/api/batches/${created.id}`, { cookie: alice.cookie }), routeContext(created.id)));
    expect(ended.items!.filter((item) => item.error?.kind === 'cost_limit').length).toBeGreaterThanOrEqual(1);
    expect(ended.costUsd).toBeGreaterThan(0.008 * 4);
    expect(await spentToday()).toBeLessThanOrEqual(0.04);
  });

  it('retrying a canceled batch cannot pass the day\'s cap: the retry is checked like a new batch', async () => {
    const { alice, opened, server, spentToday } = await pricedApp({ spendPerDayUsd: 0.05 });
    const canceled = await readJson<BatchView>(await create({ cookie: alice.cookie }, { ...priced, prompt: 'held then canceled', numberOfImages: 5 }));
    await waitUntil(() => server.requests.length === 1);
    await cancel(apiRequest('POST', `/api/batches/${canceled.id}/cancel`, { cookie: alice.cookie }), routeContext(canceled.id));
    await waitForBatchEnd(opened, canceled.id);
    expect(await spentToday()).toBe(0);

    const spent = await readJson<BatchView>(await create({ cookie: alice.cookie }, { ...priced, prompt: 'uses up the day', numberOfImages: 5 }));
    await waitForBatchEnd(opened, spent.id);
    expect(await spentToday()).toBeCloseTo(0.05, 9);

    const retried = await retry(apiRequest('POST', `/api/batches/${canceled.id}/retry`, { cookie: alice.cookie }), routeContext(canceled.id));
    await expectRefusal(retried, 429, 'spendPerDayUsd');
    expect(await opened.store.batches.getBatch(canceled.id)).toMatchObject({ status: 'canceled' });
    expect(await spentToday()).toBeLessThanOrEqual(0.05 + 1e-9);
  });
});
