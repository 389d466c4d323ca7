import fc from 'fast-check';
import { expect } from 'vitest';
import type { BatchRuntime } from '@/lib/server';
import { accountBodyArbitrary, type AccountBodyKnowns, type AccountBodyShape } from './fuzz-account-bodies';
import { tallyFuzzOutcome, type KnownIds } from './fuzz-app';
import { encodeLeniently, eventsQueryArbitrary, headersArbitrary, idArbitrary, listQueryArbitrary, nastyString, type HeaderList } from './fuzz-arbitraries';
import { bodyArbitrary, type BodyWeights } from './fuzz-bodies';
import { sendFuzzRequest, type RouteHandler } from './fuzz-harness';
import type { ImageFixtures } from './fuzz-images';
import { contentLengthSpecArbitrary, contentTypeSpecArbitrary, deliveryArbitrary, type FuzzRequest } from './fuzz-request';

/**
 * The route-fuzzing loop the fuzz suites share: a route as the fuzzer sees it, the requests it
 * generates for one, and the checks one request must pass on top of the harness's.
 */

export interface RouteUnderFuzz {
  /** The path template, `:id` where the param goes. */
  template: string;
  module: Record<string, unknown>;
  /** Which known ids make sense here. */
  ids?: 'batch' | 'image' | 'user' | 'token';
  query?: 'list' | 'events';
  /** The bodies it reads (JSON, forms): more of those; an account route's own fields for `account`. */
  bodies?: BodyWeights | { account: AccountBodyShape };
}

/** The ids a fuzzed app knows: its batches and images, and with accounts on, its users and tokens. */
export type KnownRouteIds = KnownIds & { user?: string[]; token?: string[] };

/** What a fuzzed app offers the checks. */
export interface FuzzedApp {
  runtime: BatchRuntime;
  batchCount(): Promise<number>;
  imageFileCount(): Promise<number>;
  waitForQuietWorker(): Promise<void>;
  /** With accounts on: users and tokens stored. */
  accountCounts?(): Promise<{ users: number; tokens: number }>;
  /** With accounts on: the request with the credentials and ids it names (placeholders) as they stand now. */
  resolve?(fuzz: FuzzRequest): FuzzRequest;
  /** With accounts on: makes the named credentials valid again (the last request may have ended a session, revoked a token…). */
  restoreCredentials?(): Promise<void>;
}

const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The handlers a route exports, by method; HEAD falls back to GET as Next.js does. */
export function handlersOf(route: RouteUnderFuzz): Map<string, RouteHandler> {
  const handlers = new Map<string, RouteHandler>();
  for (const method of httpMethods) {
    const handler = route.module[method];
    if (typeof handler === 'function') handlers.set(method, handler as RouteHandler);
  }
  if (!handlers.has('HEAD') && handlers.has('GET')) handlers.set('HEAD', handlers.get('GET')!);
  return handlers;
}

export function pathOf(route: RouteUnderFuzz, id: string | undefined): string {
  return route.template.replace(':id', encodeLeniently(id ?? ''));
}

/** A well-formed id that names nothing: where an app has no users or tokens (accounts off). */
const unknownId = '00000000-0000-4000-8000-000000000000';

export interface RequestOptions {
  /** Headers every request starts with (who it is from), before the random ones. @default none */
  credentials?: fc.Arbitrary<HeaderList>;
  /** Usernames and passwords that exist, for account bodies. @default none known */
  bodyKnowns?: AccountBodyKnowns;
}

export function requestArbitrary(route: RouteUnderFuzz, known: KnownRouteIds, options: RequestOptions = {}): fc.Arbitrary<FuzzRequest> {
  const allKnown = [...known.batch, ...known.image];
  const idsFor: Record<NonNullable<RouteUnderFuzz['ids']>, string[]> = {
    batch: [...known.batch, known.image[0]!],
    image: [...known.image, known.batch[0]!],
    user: [...(known.user ?? [unknownId]), known.batch[0]!],
    token: [...(known.token ?? [unknownId]), known.batch[0]!],
  };
  const ids = route.ids ? idArbitrary(idsFor[route.ids]) : fc.constant(undefined);
  const query =
    route.query === 'list'
      ? listQueryArbitrary(known.batch)
      : route.query === 'events'
        ? eventsQueryArbitrary
        : fc.option(nastyString.map((value) => `x=${encodeLeniently(value)}`), { nil: undefined, freq: 4 });
  const body =
    route.bodies && 'account' in route.bodies
      ? accountBodyArbitrary(route.bodies.account, options.bodyKnowns ?? { accounts: [{ username: 'admin', password: 'a long enough password' }] })
      : bodyArbitrary(route.bodies);
  const headers = options.credentials
    ? fc.tuple(options.credentials, headersArbitrary(allKnown)).map(([credentials, others]) => [...credentials, ...others])
    : headersArbitrary(allKnown);
  // Every key present (fc.record leaves out optional keys at random otherwise); a value may be undefined.
  return fc.record({
    method: fc.constantFrom(...handlersOf(route).keys()),
    id: ids,
    query,
    headers,
    body: fc.option(body, { nil: undefined, freq: route.bodies ? 12 : 3 }),
    contentType: contentTypeSpecArbitrary,
    contentLength: contentLengthSpecArbitrary,
    delivery: deliveryArbitrary,
  });
}

/** Sends one request and checks the route's own promises on top of the harness's (no 5xx, no hang, a clear error). */
export async function checkOne(app: FuzzedApp, route: RouteUnderFuzz, generated: FuzzRequest, fixtures: ImageFixtures): Promise<void> {
  await app.restoreCredentials?.();
  const fuzz = app.resolve ? app.resolve(generated) : generated;
  const handler = handlersOf(route).get(fuzz.method)!;
  const batchesBefore = await app.batchCount();
  const filesBefore = await app.imageFileCount();
  const accountsBefore = await app.accountCounts?.();
  const outcome = await sendFuzzRequest(handler, pathOf(route, fuzz.id), fuzz, fixtures);
  tallyFuzzOutcome(fuzz.method, route.template, outcome.status, outcome.error);
  expect(outcome.bodyError, `${fuzz.method} ${route.template}: the ${outcome.status} body broke off`).toBeUndefined();
  if (accountsBefore && outcome.status >= 400) {
    const after = await app.accountCounts!();
    expect(after.users, `${fuzz.method} ${route.template} (${outcome.status}) created a user`).toBeLessThanOrEqual(accountsBefore.users);
    expect(after.tokens, `${fuzz.method} ${route.template} (${outcome.status}) created a token`).toBeLessThanOrEqual(accountsBefore.tokens);
  }
  if (outcome.status < 300 && fuzz.method === 'POST') {
    // Stop what the fuzzer started (a batch, a retry), so the next request meets a quiet worker.
    const { id, eventsUrl } = (outcome.json ?? {}) as { id?: string; eventsUrl?: string };
    // A batch (users answer with an id too).
    if (id && eventsUrl) await app.runtime.queue.cancel(id);
    await app.waitForQuietWorker();
    return;
  }
  // Refused, or not a create: nothing new was stored (deletes may remove).
  expect(await app.batchCount(), `${fuzz.method} ${route.template} (${outcome.status}) created a batch`).toBeLessThanOrEqual(batchesBefore);
  expect(await app.imageFileCount(), `${fuzz.method} ${route.template} (${outcome.status}) stored a file`).toBeLessThanOrEqual(filesBefore);
}
