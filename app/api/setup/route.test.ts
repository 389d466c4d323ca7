import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiRequest, cookieOf, useAccountsTestApp } from '@/lib/server/testing/account-test-helpers';
import { readJson, useBatchTestApp } from '@/lib/server/testing/batch-test-helpers';
import { GET as listBatches } from '../batches/route';
import { GET as getSession } from '../session/route';
import { POST } from './route';

afterEach(() => vi.unstubAllEnvs());

const setUp = (body: unknown) => POST(apiRequest('POST', '/api/setup', {}, body));
const firstAdmin = { username: 'operator', password: 'a long enough password' };

/** A server with no user and no ADMIN_PASSWORD: the setup link's secret is pending. */
async function useFreshServer(env: Record<string, string> = {}) {
  const testApp = await useBatchTestApp(env);
  const { accounts, store } = await testApp.runtime();
  const secret = accounts.setupSecret();
  expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return { ...testApp, secret: secret!, countUsers: () => store.accounts.countUsers() };
}

describe('POST /api/setup: the first admin, from the setup link', () => {
  it('a wrong token is a 403 and creates nobody; the right one creates the admin, signed in; the link then is spent', async () => {
    const { secret, countUsers } = await useFreshServer();

    const wrong = await setUp({ token: 'not-the-secret', ...firstAdmin });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error).toMatch(/setup link is not valid/);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await countUsers()).toBe(0);

    const right = await setUp({ token: secret, ...firstAdmin });
    expect(right.status).toBe(201);
    expect(await readJson(right)).toMatchObject({ user: { username: 'operator', role: 'admin', quota: {} } });
    const cookie = cookieOf(right);
    expect(right.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
    expect(await countUsers()).toBe(1);

    const again = await setUp({ token: secret, username: 'intruder', password: 'another long password' });
    expect(again.status).toBe(403);
    expect((await again.json()).error).toMatch(/already set up/);
    expect(await countUsers()).toBe(1);

    // Accounts are on now: the admin's cookie works, and nobody else gets in as "this machine".
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie }))).status).toBe(200);
    const anonymous = await listBatches(apiRequest('GET', '/api/batches'));
    expect(anonymous.status).toBe(401);
    expect(await (await getSession(apiRequest('GET', '/api/session'))).json()).toEqual({ accounts: 'on', setupPending: false });
  });

  it('before setup, a server without accounts stays single-person, and a refused setup leaves the link usable', async () => {
    const { secret, countUsers } = await useFreshServer();
    expect(await (await getSession(apiRequest('GET', '/api/session'))).json()).toEqual({ accounts: 'off', setupPending: false });
    expect((await listBatches(apiRequest('GET', '/api/batches'))).status).toBe(200);

    for (const body of [
      { token: secret, username: 'operator', password: 'short' },
      { token: secret, username: 'bad name!', password: firstAdmin.password },
      { token: secret, username: firstAdmin.username },
      'not json',
    ]) {
      expect((await setUp(body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(await countUsers()).toBe(0);
    expect((await setUp({ token: secret, ...firstAdmin })).status).toBe(201);
  });

  it('two setups at once with the right link: one admin, the other refused', async () => {
    const { secret, countUsers } = await useFreshServer();
    const responses = await Promise.all([
      setUp({ token: secret, username: 'first', password: firstAdmin.password }),
      setUp({ token: secret, username: 'second', password: firstAdmin.password }),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([201, 403]);
    expect(await countUsers()).toBe(1);
  });

  it('with ADMIN_PASSWORD there is no link: setup is a 403', async () => {
    const { opened } = await useAccountsTestApp();
    expect(opened.accounts.setupSecret()).toBeUndefined();
    const response = await setUp({ token: 'anything', ...firstAdmin });
    expect(response.status).toBe(403);
    expect(await opened.store.accounts.countUsers()).toBe(1);
  });

  it('a server meant for a network (PUBLIC_URL) with no admin yet lets nobody in until the link is used', async () => {
    const { secret } = await useFreshServer({ PUBLIC_URL: 'https://images.example.com' });
    expect(await (await getSession(apiRequest('GET', '/api/session'))).json()).toEqual({ accounts: 'on', setupPending: true });
    for (const headers of [{ 'x-imagegen-peer': 'loopback' }, {}] as Record<string, string>[]) {
      const refused = await listBatches(apiRequest('GET', '/api/batches', {}, undefined, headers));
      expect(refused.status).toBe(401);
      expect((await refused.json()).error).toMatch(/no admin yet: open the setup link/);
    }
    const right = await setUp({ token: secret, ...firstAdmin });
    expect(right.status).toBe(201);
    expect(right.headers.get('set-cookie')).toMatch(/; Secure/);
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie: cookieOf(right) }))).status).toBe(200);
  });
});
