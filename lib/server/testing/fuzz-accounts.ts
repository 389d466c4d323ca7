import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, vi } from 'vitest';
import { hashPassword, hashSecret, newApiToken, newSecret } from '@/lib/auth';
import { respondToCreateBatch, respondToGetSession, respondToListBatches, type BatchView } from '@/lib/server';
import type { AccountStore } from '@/lib/store';
import { admin, apiRequest, createSignedInUser, createToken, signIn, signInAdmin, useAccountsTestApp } from './account-test-helpers';
import { readJson, waitForBatchEnd, waitUntil } from './batch-test-helpers';
import type { HeaderList } from './fuzz-arbitraries';
import type { FuzzRequest } from './fuzz-request';

/** What a fuzzed request's credentials name; filled in, as they stand, when it is sent. */
const placeholders = ['{admin-session}', '{user-session}', '{user-token}', '{user-token-id}', '{admin-id}', '{user-id}'] as const;
type Placeholder = (typeof placeholders)[number];

/**
 * A fresh app for fuzzing with accounts on (ADMIN_PASSWORD set): the admin and a user with a
 * session each, the user's API token and a revoked one, and one completed batch of the user's (its
 * images known). Requests carry one of those credentials, a forged one, or none, so the fuzzer
 * reaches past authentication as every kind of caller. Before each request `restoreCredentials`
 * undoes what the last one may have done to them (a sign-out, a revoked token, a new password, a
 * deleted or promoted user), so the run does not drift into all-401s.
 */
export async function setUpAccountsFuzzApp() {
  const testApp = await useAccountsTestApp({ PACING_CONCURRENCY: '4' });
  const runtime = testApp.opened;
  const accounts = runtime.store.accounts;
  const adminCookie = await signInAdmin();
  const user = await createSignedInUser(adminCookie, 'fuzz-user');
  const live = await createToken(user.cookie, 'fuzz token');
  const revoked = await createToken(user.cookie, 'revoked');
  await accounts.revokeToken(user.user.id, revoked.token.id);
  const originals = {
    admin: (await accounts.findUserByName(admin.username))!,
    user: (await accounts.findUserByName('fuzz-user'))!,
  };
  const current: Record<Placeholder, string> = {
    '{admin-session}': adminCookie.split('=')[1]!,
    '{user-session}': user.cookie.split('=')[1]!,
    '{user-token}': live.secret,
    '{user-token-id}': live.token.id,
    '{admin-id}': originals.admin.id,
    '{user-id}': originals.user.id,
  };

  const created = await respondToCreateBatch(apiRequest('POST', '/api/batches', { cookie: user.cookie }, { prompt: 'a finished batch', numberOfImages: 2 }));
  expect(created.status).toBe(202);
  const batch = await readJson<BatchView>(created);
  await waitForBatchEnd(runtime, batch.id);
  const stored = (await runtime.store.batches.getBatch(batch.id))!;

  // A stream that hangs up must let go of its subscription: count the live ones.
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

  /** Mostly the admin's and the user's real credentials, so that most requests get past authentication. */
  const credentials: [weight: number, HeaderList][] = [
    [1, []],
    [5, [['cookie', 'imagegen_session={admin-session}']]],
    [3, [['cookie', 'imagegen_session={user-session}']]],
    [1, [['cookie', 'theme=dark; imagegen_session={user-session}; other=1']]],
    [3, [['authorization', 'Bearer {user-token}']]],
    [1, [['authorization', 'bearer   {user-token}  ']]],
    [1, [['authorization', `Bearer ${revoked.secret}`]]],
    [1, [['cookie', 'imagegen_session=forged-session-secret']]],
    [1, [['authorization', 'Bearer igt_forged']]],
    [
      1,
      [
        ['cookie', 'imagegen_session={admin-session}'],
        ['authorization', 'Bearer {user-token}'],
      ],
    ],
  ];

  const fill = (text: string) => text.replace(/\{[a-z-]+\}/g, (placeholder) => current[placeholder as Placeholder] ?? placeholder);

  /** The user exists under their name, with their role and first password. */
  async function restoreUser(original: typeof originals.admin): Promise<string> {
    const found = await accounts.findUserByName(original.username);
    if (!found) return (await accounts.createUser({ username: original.username, passwordHash: original.passwordHash, role: original.role })).id;
    if (found.role !== original.role || found.passwordHash !== original.passwordHash) {
      await accounts.updateUser(found.id, { role: original.role, passwordHash: original.passwordHash });
    }
    return found.id;
  }

  async function restoreSession(placeholder: Placeholder, userId: string): Promise<void> {
    if ((await accounts.findSessionUser(hashSecret(current[placeholder]), Date.now()))?.id === userId) return;
    const secret = newSecret();
    await accounts.createSession({ secretHash: hashSecret(secret), userId, expiresAtMs: Date.now() + 60 * 60_000 });
    current[placeholder] = secret;
  }

  return {
    ...testApp,
    runtime,
    known: {
      batch: [batch.id],
      image: stored.items.map((item) => item.image!.imageId),
      // Whoever has the name now (a deleted user comes back with a new id).
      user: ['{admin-id}', '{user-id}'],
      token: ['{user-token-id}', revoked.token.id],
    },
    bodyKnowns: {
      accounts: [
        { username: admin.username, password: admin.password },
        { username: 'fuzz-user', password: user.password },
      ],
    },
    /** Who the request is from: the admin, the user (session or token), a revoked or forged credential, nobody. */
    credentialsArbitrary: fc.oneof(...credentials.map(([weight, headers]) => ({ weight, arbitrary: fc.constant(headers) }))),
    resolve: (fuzz: FuzzRequest): FuzzRequest => ({
      ...fuzz,
      headers: fuzz.headers.map(([name, value]) => [name, fill(value)]),
      ...(fuzz.id === undefined ? {} : { id: fill(fuzz.id) }),
    }),
    async restoreCredentials(): Promise<void> {
      current['{admin-id}'] = await restoreUser(originals.admin);
      current['{user-id}'] = await restoreUser(originals.user);
      await restoreSession('{admin-session}', current['{admin-id}']);
      await restoreSession('{user-session}', current['{user-id}']);
      if ((await accounts.useToken(hashSecret(current['{user-token}'])))?.user.id !== current['{user-id}']) {
        const secret = newApiToken();
        const token = await accounts.createToken({ userId: current['{user-id}'], name: 'fuzz token', secretHash: hashSecret(secret) });
        current['{user-token}'] = secret;
        current['{user-token-id}'] = token.id;
      }
    },
    batchCount: async () => (await runtime.store.batches.usage()).batchCount,
    imageFileCount: async () => (await readdir(join(testApp.dataDirectory, 'images'))).filter((name) => !name.startsWith('.')).length,
    /** Users and API tokens stored: a refused request must not add any. */
    accountCounts: () => accountCounts(accounts),
    /** Waits until no image is queued or running: nothing will write a file meanwhile. */
    waitForQuietWorker: () =>
      waitUntil(async () => {
        const { batches } = await runtime.store.batches.listBatches({ limit: 100, includeItems: true });
        return batches.every((listed) => !('items' in listed) || listed.items.every((item) => item.status !== 'queued' && item.status !== 'running'));
      }, 5_000),
    liveSubscriptions: () => liveSubscriptions,
  };
}

export type AccountsFuzzApp = Awaited<ReturnType<typeof setUpAccountsFuzzApp>>;

async function accountCounts(store: AccountStore): Promise<{ users: number; tokens: number }> {
  const users = await store.listUsers();
  let tokens = 0;
  for (const user of users) tokens += (await store.listTokens(user.id)).length;
  return { users: users.length, tokens };
}

/**
 * After the storm (which may have changed passwords, roles and sessions at random): a new admin
 * signs in, makes a token, and the token makes a batch that completes; no stream is left subscribed.
 */
export async function expectAccountsHealthy(app: AccountsFuzzApp): Promise<void> {
  const password = 'healthy admin password';
  await app.runtime.store.accounts.createUser({ username: 'healthy-admin', passwordHash: await hashPassword(password), role: 'admin' });
  const cookie = await signIn('healthy-admin', password);
  expect(await readJson(await respondToGetSession(apiRequest('GET', '/api/session', { cookie })))).toMatchObject({ user: { username: 'healthy-admin' } });
  const { secret } = await createToken(cookie, 'after the storm');
  const response = await respondToCreateBatch(apiRequest('POST', '/api/batches', { token: secret }, { prompt: 'still healthy?', numberOfImages: 2 }));
  expect(response.status).toBe(202);
  const batch = await readJson<BatchView>(response);
  await waitForBatchEnd(app.runtime, batch.id);
  expect(await app.runtime.store.batches.getBatch(batch.id)).toMatchObject({ status: 'completed', succeeded: 2 });
  expect((await respondToListBatches(apiRequest('GET', '/api/batches', { cookie }))).status).toBe(200);
  await waitUntil(() => app.liveSubscriptions() === 0, 5_000);
}
