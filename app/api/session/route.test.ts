import { afterEach, describe, expect, it, vi } from 'vitest';
import { admin, apiRequest, cookieOf, signInAdmin, useAccountsTestApp } from '@/lib/server/testing/account-test-helpers';
import { readJson, useBatchTestApp } from '@/lib/server/testing/batch-test-helpers';
import { GET as listBatches, POST as createBatch } from '../batches/route';
import { DELETE, GET, POST } from './route';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

const signInWith = (body: unknown) => POST(apiRequest('POST', '/api/session', {}, body));

describe('POST /api/session: sign in', () => {
  it('a wrong password, or a user who does not exist, is the same 401 and sets no cookie', async () => {
    await useAccountsTestApp();
    for (const body of [
      { username: admin.username, password: 'not the password' },
      { username: 'nobody', password: admin.password },
    ]) {
      const response = await signInWith(body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'Wrong username or password.' });
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('the right password: 200 with the user (no hash) and a session cookie that is HttpOnly and SameSite=Lax', async () => {
    await useAccountsTestApp();
    const response = await signInWith({ username: admin.username, password: admin.password });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toEqual({ user: { id: expect.any(String), username: 'admin', role: 'admin', quota: {}, createdAt: expect.any(String) } });
    expect(JSON.stringify(body)).not.toMatch(/argon2|passwordHash/);
    const setCookie = response.headers.get('set-cookie')!;
    const [pair, ...attributes] = setCookie.split(';').map((part) => part.trim());
    expect(pair).toMatch(/^imagegen_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/', `Max-Age=${30 * 24 * 60 * 60}`]));
    // Plain http: a Secure cookie would never come back.
    expect(attributes).not.toContain('Secure');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('usernames are matched without case; each sign-in is its own session', async () => {
    await useAccountsTestApp();
    const first = cookieOf(await signInWith({ username: 'ADMIN', password: admin.password }));
    const second = cookieOf(await signInWith({ username: ' admin ', password: admin.password }));
    expect(first).not.toBe(second);
    for (const cookie of [first, second]) expect((await listBatches(apiRequest('GET', '/api/batches', { cookie }))).status).toBe(200);
  });

  it('the cookie is Secure when PUBLIC_URL is https', async () => {
    await useAccountsTestApp({ PUBLIC_URL: 'https://images.example.com' });
    const response = await signInWith({ username: admin.username, password: admin.password });
    expect(response.headers.get('set-cookie')!.split(';').map((part) => part.trim())).toContain('Secure');
  });

  it('a body that is not { username, password } is a 400', async () => {
    await useAccountsTestApp();
    for (const body of ['not json', '[]', '{"username": "admin"}', '{"username": 1, "password": "x"}', 'null']) {
      const response = await signInWith(body);
      expect(response.status, body).toBe(400);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });
});

describe('GET /api/session', () => {
  it('says accounts are on, and who is signed in (nobody without a cookie or with a stale one)', async () => {
    await useAccountsTestApp();
    const anonymous = await GET(apiRequest('GET', '/api/session'));
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ accounts: 'on', setupPending: false });

    const cookie = await signInAdmin();
    const signedIn = await GET(apiRequest('GET', '/api/session', { cookie }));
    expect(await signedIn.json()).toMatchObject({ accounts: 'on', setupPending: false, user: { username: 'admin', role: 'admin' } });
    expect(signedIn.headers.get('cache-control')).toBe('no-store');

    const stale = await GET(apiRequest('GET', '/api/session', { cookie: 'imagegen_session=made-up' }));
    expect(await stale.json()).toEqual({ accounts: 'on', setupPending: false });
  });

  it('says accounts are off on a server without them', async () => {
    await useBatchTestApp();
    expect(await (await GET(apiRequest('GET', '/api/session'))).json()).toEqual({ accounts: 'off', setupPending: false });
  });
});

describe('DELETE /api/session: sign out', () => {
  it('ends the session on the server: the old cookie no longer works, and the browser is told to forget it', async () => {
    await useAccountsTestApp();
    const cookie = await signInAdmin();
    const other = await signInAdmin();
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie }))).status).toBe(200);

    const response = await DELETE(apiRequest('DELETE', '/api/session', { cookie }));
    expect(response.status).toBe(204);
    const cleared = response.headers.get('set-cookie')!;
    expect(cleared).toMatch(/^imagegen_session=;/);
    expect(cleared).toMatch(/Max-Age=0/);

    // A copy of the cookie (kept by anyone) is worthless now.
    const replayed = await listBatches(apiRequest('GET', '/api/batches', { cookie }));
    expect(replayed.status).toBe(401);
    expect(await (await GET(apiRequest('GET', '/api/session', { cookie }))).json()).not.toHaveProperty('user');
    // Other sessions of the same user go on.
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie: other }))).status).toBe(200);
    // Signing out again, or without a session, is harmless.
    expect((await DELETE(apiRequest('DELETE', '/api/session', { cookie }))).status).toBe(204);
    expect((await DELETE(apiRequest('DELETE', '/api/session'))).status).toBe(204);
  });

  it('a session ends by itself after 30 days', async () => {
    await useAccountsTestApp();
    const cookie = await signInAdmin();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 30 * 24 * 60 * 60_000 - 60_000);
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie }))).status).toBe(200);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie }))).status).toBe(401);
  });
});

describe('a server without accounts serves only this machine', () => {
  const peer = (value: string) => ({ 'x-imagegen-peer': value });

  it('a request from the network is a 403 that says to set ADMIN_PASSWORD; nothing is created', async () => {
    const { runtime, generateSpy } = await useBatchTestApp();
    const list = await listBatches(apiRequest('GET', '/api/batches', {}, undefined, peer('remote')));
    expect(list.status).toBe(403);
    expect((await list.json()).error).toMatch(/serves only this machine.*set ADMIN_PASSWORD/);

    const create = await createBatch(apiRequest('POST', '/api/batches', {}, { prompt: 'from afar' }, peer('remote')));
    expect(create.status).toBe(403);
    expect((await (await runtime()).store.batches.usage()).batchCount).toBe(0);
    expect(generateSpy).not.toHaveBeenCalled();
  });

  it('a request from this machine works, with the mark or (in tests only) without it', async () => {
    await useBatchTestApp();
    const create = await createBatch(apiRequest('POST', '/api/batches', {}, { prompt: 'local' }, peer('loopback')));
    expect(create.status).toBe(202);
    for (const headers of [peer('loopback'), {}]) {
      const list = await listBatches(apiRequest('GET', '/api/batches', {}, undefined, headers));
      expect(list.status).toBe(200);
      expect((await readJson<{ batches: unknown[] }>(list)).batches).toHaveLength(1);
    }
  });

  it('outside tests, a request without the mark did not come through our server: it counts as remote', async () => {
    await useBatchTestApp();
    vi.stubEnv('NODE_ENV', 'production');
    expect((await listBatches(apiRequest('GET', '/api/batches'))).status).toBe(403);
    expect((await listBatches(apiRequest('GET', '/api/batches', {}, undefined, peer('loopback')))).status).toBe(200);
  });

  it('a made-up API token is refused even here', async () => {
    await useBatchTestApp();
    const response = await listBatches(apiRequest('GET', '/api/batches', { token: 'igt_made-up' }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});
