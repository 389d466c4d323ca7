/**
 * Property-based fuzzing of every API route handler, in-process on the offline demo provider:
 * thousands of generated requests (methods each route exports, garbage ids, query strings and
 * headers, JSON and multipart bodies of random shapes with truncated or lying images, chunked and
 * broken uploads, bogus Content-Length), one at a time and in concurrent mixes. Every answer must
 * come within 5 s, never be a 5xx, and any 4xx must say what is wrong in a JSON `error`; a refused
 * request leaves nothing behind; and the app still serves a normal batch afterwards. Uploads alone
 * are fuzzed harder in uploads.fuzz.test.ts.
 *
 * Reproducible by default (fixed seed); `FUZZ_SEED=random` draws a new one, `FUZZ_SEED=<n>` replays
 * a run, `FUZZ_RUNS_SCALE=10` hunts longer, `FUZZ_SHRINK=1` shrinks a failure to its smallest case.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  encodeLeniently,
  eventsQueryArbitrary,
  fuzzParameters,
  headersArbitrary,
  idArbitrary,
  listQueryArbitrary,
  nastyString,
} from '@/lib/server/testing/fuzz-arbitraries';
import { expectHealthy, printFuzzStatistics, setUpFuzzApp, tallyFuzzOutcome, type FuzzApp, type KnownIds } from '@/lib/server/testing/fuzz-app';
import { bodyArbitrary, type BodyWeights } from '@/lib/server/testing/fuzz-bodies';
import { sendFuzzRequest, type RouteHandler } from '@/lib/server/testing/fuzz-harness';
import { createImageFixtures, type ImageFixtures } from '@/lib/server/testing/fuzz-images';
import { contentLengthSpecArbitrary, contentTypeSpecArbitrary, deliveryArbitrary, type FuzzRequest } from '@/lib/server/testing/fuzz-request';
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
afterAll(printFuzzStatistics);

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

/** Sends one request and checks the route's own promises on top of the harness's (no 5xx, no hang, a clear error). */
async function checkOne(app: FuzzApp, route: RouteUnderFuzz, fuzz: FuzzRequest): Promise<void> {
  const handler = handlersOf(route).get(fuzz.method)!;
  const batchesBefore = await app.batchCount();
  const filesBefore = await app.imageFileCount();
  const outcome = await sendFuzzRequest(handler, pathOf(route, fuzz.id), fuzz, fixtures);
  tallyFuzzOutcome(fuzz.method, route.template, outcome.status, outcome.error);
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
