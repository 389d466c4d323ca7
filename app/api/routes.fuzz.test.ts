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
 * Here accounts are off (the server of one person on this machine); accounts.fuzz.test.ts fuzzes
 * the same routes with accounts on, as every kind of caller.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fuzzParameters } from '@/lib/server/testing/fuzz-arbitraries';
import { expectHealthy, printFuzzStatistics, setUpFuzzApp } from '@/lib/server/testing/fuzz-app';
import { sendFuzzRequest } from '@/lib/server/testing/fuzz-harness';
import { createImageFixtures, type ImageFixtures } from '@/lib/server/testing/fuzz-images';
import { checkOne, handlersOf, pathOf, requestArbitrary, type RouteUnderFuzz } from '@/lib/server/testing/fuzz-routes';
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
import * as sessionRoute from './session/route';
import * as setupRoute from './setup/route';
import * as storageRoute from './storage/route';
import * as tokenRoute from './tokens/[id]/route';
import * as tokensRoute from './tokens/route';
import * as userRoute from './users/[id]/route';
import * as usersRoute from './users/route';
import * as imagesZipRoute from './zip/route';

afterEach(() => vi.unstubAllEnvs());
afterAll(printFuzzStatistics);

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
  { template: '/api/session', module: sessionRoute, bodies: { account: 'sign-in' } },
  { template: '/api/setup', module: setupRoute, bodies: { account: 'setup' } },
  { template: '/api/users', module: usersRoute, bodies: { account: 'new-user' } },
  { template: '/api/users/:id', module: userRoute, ids: 'user', bodies: { account: 'user-change' } },
  { template: '/api/tokens', module: tokensRoute, bodies: { account: 'new-token' } },
  { template: '/api/tokens/:id', module: tokenRoute, ids: 'token' },
  { template: '/api/zip', module: imagesZipRoute, bodies: { json: 10, form: 2 } },
];

let fixtures: ImageFixtures;
beforeAll(async () => {
  fixtures = await createImageFixtures();
});

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
  // Without accounts these answer 403 ("no accounts") or 401 after parsing: fewer runs reach it all.
  '/api/session': 100,
  '/api/setup': 100,
  '/api/users': 60,
  '/api/users/:id': 60,
  '/api/tokens': 60,
  '/api/tokens/:id': 40,
  '/api/zip': 100,
};

describe('fuzzing every API route (accounts off)', () => {
  for (const route of routes) {
    it(`${[...handlersOf(route).keys()].join('/')} ${route.template}: no 5xx, no hang, a clear 4xx, nothing created on refusal`, async () => {
      const app = await setUpFuzzApp({ completedBatches: handlersOf(route).has('DELETE') ? 3 : 1 });
      await fc.assert(
        fc.asyncProperty(requestArbitrary(route, app.known), (fuzz) => checkOne(app, route, fuzz, fixtures)),
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
