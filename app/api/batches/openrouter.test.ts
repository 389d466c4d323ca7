import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openrouterResponses, startFakeOpenRouterServer, type FakeOpenRouterServer } from '@/lib/providers/testing';
import type { BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { GET as getImage } from '../images/[id]/route';
import { GET as getBatch } from './[id]/route';
import { POST } from './route';

const apiKey = 'sk-or-v1-route-test-0123456789';
const servers: FakeOpenRouterServer[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** The app with OpenRouter as its default provider, pointed at a fresh strict fake. */
async function openRouterApp(env: Record<string, string> = {}) {
  const server = await startFakeOpenRouterServer({ apiKey });
  servers.push(server);
  const testApp = await useBatchTestApp({ IMAGE_PROVIDER: 'openrouter', OPENROUTER_API_KEY: apiKey, OPENROUTER_BASE_URL: server.baseUrl, ...env });
  return { ...testApp, server };
}

async function runBatch(testApp: Awaited<ReturnType<typeof openRouterApp>>, body: Record<string, unknown>): Promise<BatchView> {
  const response = await POST(jsonRequest('/api/batches', body));
  expect(response.status).toBe(202);
  const created = await readJson<BatchView>(response);
  await waitForBatchEnd(await testApp.runtime(), created.id);
  return readJson<BatchView>(await getBatch(getRequest(`/api/batches/${created.id}`), routeContext(created.id)));
}

describe('a batch on OpenRouter (IMAGE_PROVIDER=openrouter, a local fake)', () => {
  it('makes every image through chat completions, with the aspect ratio, and stores real PNGs; cost unknown', async () => {
    const testApp = await openRouterApp({ PUBLIC_URL: 'http://127.0.0.1:3000' });
    testApp.server.respondAlways(openrouterResponses.imageFor());
    const batch = await runBatch(testApp, { prompt: 'a lighthouse at dusk', numberOfImages: 3, aspectRatio: '16:9' });

    expect(batch).toMatchObject({ status: 'completed', succeeded: 3, failed: 0, provider: 'openrouter', model: 'google/gemini-2.5-flash-image', isDemo: false });
    expect(batch.estimatedCostUsd ?? undefined).toBeUndefined();
    expect(testApp.server.requests).toHaveLength(3);
    for (const request of testApp.server.requests) {
      expect(request.json).toMatchObject({ model: 'google/gemini-2.5-flash-image', modalities: ['image', 'text'], image_config: { aspect_ratio: '16:9' } });
      expect(request.headers['http-referer']).toBe('http://127.0.0.1:3000');
    }
    for (const item of batch.items!) {
      const image = await getImage(getRequest(item.imageUrl!), routeContext(item.imageId!));
      const metadata = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      expect(metadata.format).toBe('png');
      expect(metadata.width! / metadata.height!).toBeCloseTo(16 / 9, 1);
    }
  });

  it('a 429 with Retry-After is retried after the wait; the image is kept', async () => {
    const testApp = await openRouterApp();
    testApp.server.respondWith(openrouterResponses.rateLimited({ retryAfterSeconds: 0.05 }), openrouterResponses.imageFor());
    const batch = await runBatch(testApp, { prompt: 'a fox', numberOfImages: 1 });
    expect(batch).toMatchObject({ status: 'completed', succeeded: 1 });
    expect(batch.items![0]).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('402 (no credits): the item fails as quota_exhausted, not retried', async () => {
    const testApp = await openRouterApp();
    testApp.server.respondWith(openrouterResponses.noCredits());
    const noCredits = await runBatch(testApp, { prompt: 'a fox', numberOfImages: 1 });
    expect(noCredits).toMatchObject({ status: 'failed', failed: 1 });
    expect(noCredits.items![0]).toMatchObject({ status: 'failed', attempts: 1, error: { kind: 'quota_exhausted' } });
    expect(testApp.server.requests).toHaveLength(1);
  });

  it('an answer with text and no image fails its item with the model\'s text as the reason', async () => {
    const testApp = await openRouterApp();
    testApp.server.respondWith(openrouterResponses.textOnly('I would rather describe a fox than draw one.'));
    const batch = await runBatch(testApp, { prompt: 'a fox', numberOfImages: 1 });
    expect(batch.items![0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      // The item's message is the kind's label; the model's own words are its details.
      error: { kind: 'invalid_request', details: expect.stringContaining('I would rather describe a fox than draw one.') },
    });
  });
});
