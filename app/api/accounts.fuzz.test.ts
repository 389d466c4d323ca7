/**
 * Property-based fuzzing of every API route with accounts on (ADMIN_PASSWORD set), in-process on
 * the offline demo provider, in the style of routes.fuzz.test.ts: each request comes from the
 * admin, a user (by session or API token), a revoked token, a forged cookie or token, or nobody,
 * with the account routes' own fields (usernames, passwords, roles, quotas, token names) generated
 * valid, wrong, hostile or huge. Every answer must come within 5 s, never be a 5xx, and any 4xx
 * must say what is wrong in a JSON `error`; a refused request creates no batch, file, user or
 * token; and afterwards a new admin still signs in, makes a token, and the token makes a batch.
 *
 * Seeded like routes.fuzz.test.ts (`FUZZ_SEED`, `FUZZ_RUNS_SCALE`, `FUZZ_SHRINK`, `FUZZ_STATS`).
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectAccountsHealthy, setUpAccountsFuzzApp } from '@/lib/server/testing/fuzz-accounts';
import { printFuzzStatistics } from '@/lib/server/testing/fuzz-app';
import { fuzzParameters } from '@/lib/server/testing/fuzz-arbitraries';
import { sendFuzzRequest } from '@/lib/server/testing/fuzz-harness';
import { createImageFixtures, type ImageFixtures } from '@/lib/server/testing/fuzz-images';
import { checkOne, handlersOf, pathOf, requestArbitrary, type RouteUnderFuzz } from '@/lib/server/testing/fuzz-routes';
import * as batchRoute from './batches/[id]/route';
import * as cancelRoute from './batches/[id]/cancel/route';
import * as eventsRoute from './batches/[id]/events/route';
import * as retryRoute from './batches/[id]/retry/route';
import * as zipRoute from './batches/[id]/zip/route';
import * as batchesRoute from './batches/route';
import * as generateRoute from './generate/route';
import * as imageRoute from './images/[id]/route';
import * as sessionRoute from './session/route';
import * as setupRoute from './setup/route';
import * as storageRoute from './storage/route';
import * as tokenRoute from './tokens/[id]/route';
import * as tokensRoute from './tokens/route';
import * as userRoute from './users/[id]/route';
import * as usersRoute from './users/route';

afterEach(() => vi.unstubAllEnvs());
afterAll(printFuzzStatistics);

/** The account routes, fuzzed one by one. */
const accountRoutes: RouteUnderFuzz[] = [
  { template: '/api/session', module: sessionRoute, bodies: { account: 'sign-in' } },
  { template: '/api/setup', module: setupRoute, bodies: { account: 'setup' } },
  { template: '/api/users', module: usersRoute, bodies: { account: 'new-user' } },
  { template: '/api/users/:id', module: userRoute, ids: 'user', bodies: { account: 'user-change' } },
  { template: '/api/tokens', module: tokensRoute, bodies: { account: 'new-token' } },
  { template: '/api/tokens/:id', module: tokenRoute, ids: 'token' },
];

/** The batch routes, whose authentication and visibility the mixes reach with every kind of caller. */
const batchRoutes: RouteUnderFuzz[] = [
  { template: '/api/generate', module: generateRoute, bodies: { json: 16, form: 2 } },
  { template: '/api/batches', module: batchesRoute, query: 'list', bodies: { json: 10, form: 8 } },
  { template: '/api/batches/:id', module: batchRoute, ids: 'batch' },
  { template: '/api/batches/:id/cancel', module: cancelRoute, ids: 'batch' },
  { template: '/api/batches/:id/retry', module: retryRoute, ids: 'batch' },
  { template: '/api/batches/:id/events', module: eventsRoute, ids: 'batch', query: 'events' },
  { template: '/api/batches/:id/zip', module: zipRoute, ids: 'batch' },
  { template: '/api/images/:id', module: imageRoute, ids: 'image' },
  { template: '/api/storage', module: storageRoute },
];

/** Runs per route. Sign-ins and new passwords cost an Argon2 hash each (tens of milliseconds). */
const runsByTemplate: Record<string, number> = {
  '/api/session': 250,
  '/api/setup': 100,
  '/api/users': 400,
  '/api/users/:id': 400,
  '/api/tokens': 300,
  '/api/tokens/:id': 150,
  '/api/batches': 150,
  '/api/batches/:id': 100,
};

let fixtures: ImageFixtures;
beforeAll(async () => {
  fixtures = await createImageFixtures();
});

describe('fuzzing every API route with accounts on', () => {
  for (const route of [...accountRoutes, ...batchRoutes.filter((route) => runsByTemplate[route.template] !== undefined)]) {
    it(`${[...handlersOf(route).keys()].join('/')} ${route.template}, as any caller: no 5xx, no hang, a clear 4xx, nothing created on refusal`, async () => {
      const app = await setUpAccountsFuzzApp();
      const options = { credentials: app.credentialsArbitrary, bodyKnowns: app.bodyKnowns };
      await fc.assert(
        fc.asyncProperty(requestArbitrary(route, app.known, options), (fuzz) => checkOne(app, route, fuzz, fixtures)),
        fuzzParameters(runsByTemplate[route.template]!),
      );
      await expectAccountsHealthy(app);
    }, 120_000);
  }

  it('concurrent mixes of account and batch requests from every kind of caller: no 5xx, no hang, and the app is healthy after', async () => {
    const app = await setUpAccountsFuzzApp();
    const options = { credentials: app.credentialsArbitrary, bodyKnowns: app.bodyKnowns };
    const anyRequest = fc.oneof(...[...accountRoutes, ...batchRoutes].map((route) => requestArbitrary(route, app.known, options).map((fuzz) => ({ route, fuzz }))));
    await fc.assert(
      fc.asyncProperty(fc.array(anyRequest, { minLength: 2, maxLength: 6 }), async (requests) => {
        await app.restoreCredentials();
        const outcomes = await Promise.all(
          requests.map(({ route, fuzz }) => {
            const resolved = app.resolve(fuzz);
            return sendFuzzRequest(handlersOf(route).get(resolved.method)!, pathOf(route, resolved.id), resolved, fixtures);
          }),
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
          const { id, eventsUrl } = (outcome.json ?? {}) as { id?: string; eventsUrl?: string };
          if (outcome.status === 202 && id && eventsUrl) await app.runtime.queue.cancel(id);
        }
        await app.waitForQuietWorker();
      }),
      fuzzParameters(100),
    );
    await expectAccountsHealthy(app);
  }, 120_000);
});
