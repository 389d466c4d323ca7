/**
 * Property-based fuzzing of every API route handler, in-process on the offline demo provider:
 * thousands of generated requests (methods each route exports, garbage ids, query strings and
 * headers, JSON and multipart bodies of random shapes with truncated or lying images, chunked and
 * broken uploads, bogus Content-Length). Every answer must come within 5 s, never be a 5xx, and
 * any 4xx must say what is wrong in a JSON `error`; a refused create leaves nothing behind; and the
 * app still serves a normal batch afterwards.
 *
 * Reproducible by default (fixed seed); `FUZZ_SEED=random` draws a new one, `FUZZ_SEED=<n>` replays
 * a run, `FUZZ_RUNS_SCALE=10` hunts longer, `FUZZ_SHRINK=1` shrinks a failure to its smallest case.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GenerateImageOptions } from '@/lib/core';
import { createDemoProvider } from '@/lib/providers/demo';
import type { BatchView } from '@/lib/server';
import type { ItemRecord } from '@/lib/store';
import { readJson, routeContext, useBatchTestApp, waitForBatchEnd, waitUntil, getRequest } from '@/lib/server/testing/batch-test-helpers';
import {
  encodeLeniently,
  eventsQueryArbitrary,
  fuzzParameters,
  headersArbitrary,
  idArbitrary,
  listQueryArbitrary,
  nastyString,
  type HeaderList,
} from '@/lib/server/testing/fuzz-arbitraries';
import { bodyArbitrary, uploadBodyArbitrary, type BodyWeights } from '@/lib/server/testing/fuzz-bodies';
import { createImageFixtures, type ImageFixtures } from '@/lib/server/testing/fuzz-images';
import { contentLengthSpecArbitrary, contentTypeSpecArbitrary, deliveryArbitrary, type FuzzRequest } from '@/lib/server/testing/fuzz-request';
import { sendFuzzRequest, type RouteHandler } from '@/lib/server/testing/fuzz-harness';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import * as batchRoute from './batches/[id]/route';
import * as cancelRoute from './batches/[id]/cancel/route';
import * as eventsRoute from './batches/[id]/events/route';
import * as retryRoute from './batches/[id]/retry/route';
import * as zipRoute from './batches/[id]/zip/route';
import * as batchesRoute from './batches/route';
import * as generateWithImageRoute from './generate-with-image/route';
import * as generateRoute from './generate/route';
import * as imageRoute from './images/[id]/route';
import * as providersRoute from './providers/route';
import * as storageRoute from './storage/route';

afterEach(() => vi.unstubAllEnvs());

interface RouteUnderFuzz {
  /** The path template, `:id` where the param goes. */
  template: string;
  module: Record<string, unknown>;
  /** Which known ids make sense here. */
  ids?: 'batch' | 'image';
  query?: 'list' | 'events';
  /** The bodies it reads (JSON, forms): more of those. */
  bodies?: BodyWeights;
}

const routes: RouteUnderFuzz[] = [
  { template: '/api/generate', module: generateRoute, bodies: { json: 16, form: 2 } },
  { template: '/api/generate-with-image', module: generateWithImageRoute, bodies: { json: 8, form: 10 } },
  { template: '/api/batches', module: batchesRoute, query: 'list', bodies: { json: 10, form: 8 } },
  { template: '/api/batches/:id', module: batchRoute, ids: 'batch' },
  { template: '/api/batches/:id/cancel', module: cancelRoute, ids: 'batch' },
  { template: '/api/batches/:id/retry', module: retryRoute, ids: 'batch' },
  { template: '/api/batches/:id/events', module: eventsRoute, ids: 'batch', query: 'events' },
  { template: '/api/batches/:id/zip', module: zipRoute, ids: 'batch' },
  { template: '/api/images/:id', module: imageRoute, ids: 'image' },
  { template: '/api/providers', module: providersRoute },
  { template: '/api/storage', module: storageRoute },
];

const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The handlers a route exports, by method; HEAD falls back to GET as Next.js does. */
function handlersOf(route: RouteUnderFuzz): Map<string, RouteHandler> {
  const handlers = new Map<string, RouteHandler>();
  for (const method of httpMethods) {
    const handler = route.module[method];
    if (typeof handler === 'function') handlers.set(method, handler as RouteHandler);
  }
  if (!handlers.has('HEAD') && handlers.has('GET')) handlers.set('HEAD', handlers.get('GET')!);
  return handlers;
}

function pathOf(route: RouteUnderFuzz, id: string | undefined): string {
  return route.template.replace(':id', encodeLeniently(id ?? ''));
}

interface KnownIds {
  batch: string[];
  image: string[];
}

function requestArbitrary(route: RouteUnderFuzz, known: KnownIds): fc.Arbitrary<FuzzRequest> {
  const allKnown = [...known.batch, ...known.image];
  const ids = route.ids ? idArbitrary(route.ids === 'batch' ? [...known.batch, known.image[0]!] : [...known.image, known.batch[0]!]) : fc.constant(undefined);
  const query =
    route.query === 'list'
      ? listQueryArbitrary(known.batch)
      : route.query === 'events'
        ? eventsQueryArbitrary
        : fc.option(nastyString.map((value) => `x=${encodeLeniently(value)}`), { nil: undefined, freq: 4 });
  // Every key present (fc.record leaves out optional keys at random otherwise); a value may be undefined.
  return fc.record({
    method: fc.constantFrom(...handlersOf(route).keys()),
    id: ids,
    query,
    headers: headersArbitrary(allKnown),
    body: fc.option(bodyArbitrary(route.bodies), { nil: undefined, freq: route.bodies ? 12 : 3 }),
    contentType: contentTypeSpecArbitrary,
    contentLength: contentLengthSpecArbitrary,
    delivery: deliveryArbitrary,
  });
}

let fixtures: ImageFixtures;
beforeAll(async () => {
  fixtures = await createImageFixtures();
});

/** A prompt whose provider call is held until it is aborted: keeps a batch running (409s, live streams). */
const heldPrompt = 'fuzz: held until canceled';

/**
 * A fresh app with a few batches to aim at: one completed (its images known), one running (its
 * call held), one canceled. The demo has no latency; calls run four at a time so the held one
 * blocks nothing else.
 */
async function setUpFuzzApp({ completedBatches = 1 } = {}) {
  const testApp = await useBatchTestApp({ PACING_CONCURRENCY: '4' });
  const demo = createDemoProvider();
  let heldCalls = 0;
  testApp.generateSpy.mockImplementation(async (options: GenerateImageOptions, signal?: AbortSignal) => {
    // At most one call is held at a time, so retried held batches cannot take every slot.
    if (options.prompt !== heldPrompt || heldCalls > 0 || !signal) return demo.generate(options, signal);
    heldCalls++;
    try {
      await new Promise<void>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      throw new Error('unreachable');
    } finally {
      heldCalls--;
    }
  });
  const runtime = await testApp.runtime();

  // Streams that hang up must let go of their subscription: count the live ones.
  let liveSubscriptions = 0;
  const subscribe = runtime.queue.subscribe.bind(runtime.queue);
  vi.spyOn(runtime.queue, 'subscribe').mockImplementation((batchId, listener) => {
    liveSubscriptions++;
    const unsubscribe = subscribe(batchId, listener);
    let isDone = false;
    return () => {
      if (!isDone) liveSubscriptions--;
      isDone = true;
      unsubscribe();
    };
  });

  const create = async (body: Record<string, unknown>) => {
    const response = await batchesRoute.POST(jsonRequest('/api/batches', body));
    expect(response.status).toBe(202);
    return readJson<BatchView>(response);
  };
  // Several where a DELETE may remove one early, so later requests still find a finished batch.
  const completed: BatchView[] = [];
  for (let count = 0; count < completedBatches; count++) {
    const created = await create({ prompt: 'a finished batch', numberOfImages: 2 });
    await waitForBatchEnd(runtime, created.id);
    completed.push(await readJson<BatchView>(await batchRoute.GET(getRequest(`/api/batches/${created.id}`), routeContext(created.id))));
  }
  const canceled = await create({ prompt: heldPrompt, numberOfImages: 2 });
  await waitUntil(() => heldCalls === 1);
  await cancelRoute.POST(new Request(`http://127.0.0.1/api/batches/${canceled.id}/cancel`, { method: 'POST' }), routeContext(canceled.id));
  await waitForBatchEnd(runtime, canceled.id);
  const running = await create({ prompt: heldPrompt, numberOfImages: 1 });
  await waitUntil(() => heldCalls === 1);

  const known: KnownIds = {
    batch: [...completed.map((batch) => batch.id), canceled.id, running.id],
    image: completed.flatMap((batch) => batch.items!.map((item) => item.imageId!)),
  };
  const imageFileCount = async () => (await readdir(join(testApp.dataDirectory, 'images'))).filter((name) => !name.startsWith('.')).length;
  const batchCount = async () => (await runtime.store.batches.usage()).batchCount;
  /**
   * No image is queued and the only one running is the held call: nothing will write a file
   * meanwhile. The fuzzer's own batches are the newest; the two held ones are looked up by id.
   */
  const waitForQuietWorker = () =>
    waitUntil(async () => {
      const { batches } = await runtime.store.batches.listBatches({ limit: 100, includeItems: true });
      const held = await Promise.all([canceled.id, running.id].map((id) => runtime.store.batches.getBatch(id)));
      const byId = new Map<string, ItemRecord[]>();
      for (const batch of [...batches, ...held]) if (batch) byId.set(batch.id, (batch as { items?: ItemRecord[] }).items ?? []);
      const items = [...byId.values()].flat();
      return !items.some((item) => item.status === 'queued') && items.filter((item) => item.status === 'running').length === heldCalls;
    }, 5_000);
  return { ...testApp, runtime, known, imageFileCount, batchCount, waitForQuietWorker, liveSubscriptions: () => liveSubscriptions, heldCalls: () => heldCalls };
}

type FuzzApp = Awaited<ReturnType<typeof setUpFuzzApp>>;

/** Sends one request and checks the route's own promises on top of the harness's (no 5xx, no hang, a clear error). */
async function checkOne(app: FuzzApp, route: RouteUnderFuzz, fuzz: FuzzRequest): Promise<void> {
  const handler = handlersOf(route).get(fuzz.method)!;
  const batchesBefore = await app.batchCount();
  const filesBefore = await app.imageFileCount();
  const outcome = await sendFuzzRequest(handler, pathOf(route, fuzz.id), fuzz, fixtures);
  tally(route, fuzz, outcome.status, outcome.error);
  expect(outcome.bodyError, `${fuzz.method} ${route.template}: the ${outcome.status} body broke off`).toBeUndefined();
  if (outcome.status < 300 && fuzz.method === 'POST') {
    // Stop what the fuzzer started (a batch, a retry), so the next request meets a quiet worker.
    const id = (outcome.json as { id?: string } | undefined)?.id;
    if (id) await app.runtime.queue.cancel(id);
    await app.waitForQuietWorker();
    return;
  }
  // Refused, or not a create: nothing new was stored (deletes may remove).
  expect(await app.batchCount(), `${fuzz.method} ${route.template} (${outcome.status}) created a batch`).toBeLessThanOrEqual(batchesBefore);
  expect(await app.imageFileCount(), `${fuzz.method} ${route.template} (${outcome.status}) stored a file`).toBeLessThanOrEqual(filesBefore);
}

/** `FUZZ_STATS=1` prints what each route answered (status and error), to see what the fuzzer reaches. */
const statistics = new Map<string, number>();
function tally(route: RouteUnderFuzz, fuzz: FuzzRequest, status: number, error?: string): void {
  if (process.env.FUZZ_STATS !== '1') return;
  const key = `${fuzz.method} ${route.template} ${status} ${error?.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 90) ?? ''}`;
  statistics.set(key, (statistics.get(key) ?? 0) + 1);
}
afterAll(() => {
  if (statistics.size > 0) console.log([...statistics].sort(([left], [right]) => left.localeCompare(right)).map(([key, count]) => `${String(count).padStart(5)} ${key}`).join('\n'));
});

/** After the storm: a normal batch still goes through, the list answers, no stream is left subscribed. */
async function expectHealthy(app: FuzzApp): Promise<void> {
  const response = await batchesRoute.POST(jsonRequest('/api/batches', { prompt: 'still healthy?', numberOfImages: 2 }));
  expect(response.status).toBe(202);
  const batch = await readJson<BatchView>(response);
  await waitForBatchEnd(app.runtime, batch.id);
  const ended = await readJson<BatchView>(await batchRoute.GET(getRequest(`/api/batches/${batch.id}`), routeContext(batch.id)));
  expect(ended).toMatchObject({ status: 'completed', succeeded: 2 });
  const list = await batchesRoute.GET(getRequest('/api/batches'));
  expect(list.status).toBe(200);
  expect((await readJson<{ batches: unknown[] }>(list)).batches.length).toBeGreaterThan(0);
  expect((await providersRoute.GET()).status).toBe(200);
  await waitUntil(() => app.liveSubscriptions() === 0, 5_000);
}

/** Runs per route: thousands of requests in all, the whole file within about 30 s on two cores. */
const runsByTemplate: Record<string, number> = {
  '/api/generate': 300,
  '/api/generate-with-image': 300,
  '/api/batches': 400,
  '/api/batches/:id': 250,
  '/api/batches/:id/cancel': 200,
  '/api/batches/:id/retry': 200,
  '/api/batches/:id/events': 250,
  '/api/batches/:id/zip': 200,
  '/api/images/:id': 250,
  '/api/providers': 50,
  '/api/storage': 50,
};

describe('fuzzing every API route', () => {
  for (const route of routes) {
    it(`${[...handlersOf(route).keys()].join('/')} ${route.template}: no 5xx, no hang, a clear 4xx, nothing created on refusal`, async () => {
      const app = await setUpFuzzApp({ completedBatches: handlersOf(route).has('DELETE') ? 3 : 1 });
      await fc.assert(
        fc.asyncProperty(requestArbitrary(route, app.known), (fuzz) => checkOne(app, route, fuzz)),
        fuzzParameters(runsByTemplate[route.template] ?? 100),
      );
      await expectHealthy(app);
    }, 120_000);
  }

  it.each([
    ['/api/generate-with-image', generateWithImageRoute.POST],
    ['/api/batches', batchesRoute.POST],
  ] as const)('POST %s with truncated, lying and odd uploads: accepted and made, or a 400 about the image', async (path, handler) => {
    const app = await setUpFuzzApp();
    const upload = fc.record({
      method: fc.constant('POST'),
      id: fc.constant(undefined),
      query: fc.constant(undefined),
      headers: fc.constant<HeaderList>([]),
      body: uploadBodyArbitrary,
      contentType: fc.constant({ kind: 'natural' as const }),
      contentLength: fc.constant(undefined),
      delivery: fc.constantFrom('buffer' as const, 'chunked' as const),
    });
    await fc.assert(
      fc.asyncProperty(upload, async (fuzz) => {
        const batchesBefore = await app.batchCount();
        const outcome = await sendFuzzRequest(handler as RouteHandler, path, fuzz, fixtures);
        tally({ template: path, module: {} }, fuzz, outcome.status, outcome.error);
        if (outcome.status >= 400) {
          expect(outcome.status, outcome.error).toBe(400);
          expect(await app.batchCount(), 'a refused upload created a batch').toBe(batchesBefore);
          return;
        }
        // Accepted: the image must be usable, so every image of the batch is made.
        const batches = (await app.runtime.store.batches.listBatches({ limit: 1 })).batches;
        const batch = batches[0]!;
        await waitForBatchEnd(app.runtime, batch.id);
        const ended = await app.runtime.store.batches.getBatch(batch.id);
        expect(ended, `an accepted upload (${outcome.status}) ended ${ended?.status}: ${JSON.stringify(ended?.items.map((item) => item.error))}`).toMatchObject({ status: 'completed' });
      }),
      fuzzParameters(250),
    );
    await expectHealthy(app);
  }, 120_000);

  it('concurrent mixes of requests across routes: no 5xx, no hang, and the app is healthy after', async () => {
    const app = await setUpFuzzApp({ completedBatches: 3 });
    const anyRequest = fc.oneof(...routes.map((route) => requestArbitrary(route, app.known).map((fuzz) => ({ route, fuzz }))));
    await fc.assert(
      fc.asyncProperty(fc.array(anyRequest, { minLength: 2, maxLength: 6 }), async (requests) => {
        const outcomes = await Promise.all(
          requests.map(({ route, fuzz }) => sendFuzzRequest(handlersOf(route).get(fuzz.method)!, pathOf(route, fuzz.id), fuzz, fixtures)),
        );
        // A ZIP is streamed image by image: one whose batch a concurrent DELETE removed is cut short, by design.
        const deleted = new Set(requests.filter(({ fuzz }, index) => fuzz.method === 'DELETE' && outcomes[index]!.status === 204).map(({ fuzz }) => fuzz.id));
        outcomes.forEach((outcome, index) => {
          const { route, fuzz } = requests[index]!;
          const isExplained = route.template === '/api/batches/:id/zip' && deleted.has(fuzz.id);
          if (!isExplained) expect(outcome.bodyError, `${fuzz.method} ${route.template}: the ${outcome.status} body broke off`).toBeUndefined();
        });
        // What the fuzzer started, it stops: the next mix meets a quiet worker.
        for (const outcome of outcomes) {
          const id = (outcome.json as { id?: string } | undefined)?.id;
          if (outcome.status === 202 && id) await app.runtime.queue.cancel(id);
        }
        await app.waitForQuietWorker();
      }),
      fuzzParameters(100),
    );
    await expectHealthy(app);
  }, 120_000);
});
