import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchView, UserView } from '@/lib/server';
import { admin, apiRequest, createSignedInUser, signIn, signInAdmin, useAccountsTestApp } from '@/lib/server/testing/account-test-helpers';
import { readJson, routeContext, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { GET as getBatch } from '../batches/[id]/route';
import { GET as listBatches, POST as createBatch } from '../batches/route';
import { POST as signInRoute } from '../session/route';
import { DELETE as deleteUser, POST as updateUser } from './[id]/route';
import { GET, POST } from './route';

afterEach(() => vi.unstubAllEnvs());

const create = (cookie: string, body: unknown) => POST(apiRequest('POST', '/api/users', { cookie }, body));
const update = (cookie: string, userId: string, body: unknown) => updateUser(apiRequest('POST', `/api/users/${userId}`, { cookie }, body), routeContext(userId));
const remove = (cookie: string, userId: string) => deleteUser(apiRequest('DELETE', `/api/users/${userId}`, { cookie }), routeContext(userId));
const signInStatus = async (username: string, password: string) =>
  (await signInRoute(apiRequest('POST', '/api/session', {}, { username, password }))).status;

describe('users (admin only)', () => {
  it('the admin creates a user with a quota (201, no hash in sight), who can then sign in; the list shows both', async () => {
    await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const response = await create(adminCookie, { username: 'alice', password: 'alice password 1', quota: { imagesPerDay: 20, allowedModels: ['demo'] } });
    expect(response.status).toBe(201);
    const alice = await readJson<UserView>(response);
    expect(alice).toEqual({ id: expect.any(String), username: 'alice', role: 'user', quota: { imagesPerDay: 20, allowedModels: ['demo'] }, createdAt: expect.any(String) });
    expect(await signInStatus('alice', 'alice password 1')).toBe(200);

    const list = await GET(apiRequest('GET', '/api/users', { cookie: adminCookie }));
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toMatch(/argon2|passwordHash|password_hash/);
    expect((JSON.parse(text) as { users: UserView[] }).users.map((user) => [user.username, user.role])).toEqual([
      ['admin', 'admin'],
      ['alice', 'user'],
    ]);
  });

  it('a taken username, in any case, is a 409; a short password, a bad name or an unknown quota key is a 400', async () => {
    await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    expect((await create(adminCookie, { username: 'Alice', password: 'alice password 1' })).status).toBe(201);
    expect((await create(adminCookie, { username: 'alice', password: 'alice password 2' })).status).toBe(409);
    expect((await create(adminCookie, { username: 'ADMIN', password: 'another password' })).status).toBe(409);
    for (const body of [
      { username: 'bob', password: 'short' },
      { username: 'bob smith', password: 'long enough password' },
      { username: '', password: 'long enough password' },
      { username: 'bob', password: 'long enough password', role: 'root' },
      { username: 'bob', password: 'long enough password', quota: { imagesPerHour: 1 } },
      { username: 'bob', password: 'long enough password', isAdmin: true },
      { username: 'bob' },
    ]) {
      expect((await create(adminCookie, body)).status, JSON.stringify(body)).toBe(400);
    }
    const { users } = await readJson<{ users: UserView[] }>(await GET(apiRequest('GET', '/api/users', { cookie: adminCookie })));
    expect(users).toHaveLength(2);
  });

  it('a user who is not an admin gets 403 on every user route; nobody signed in gets 401', async () => {
    await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const alice = await createSignedInUser(adminCookie, 'alice');
    const adminId = (await readJson<{ users: UserView[] }>(await GET(apiRequest('GET', '/api/users', { cookie: adminCookie })))).users[0]!.id;
    const asAlice = [
      GET(apiRequest('GET', '/api/users', { cookie: alice.cookie })),
      create(alice.cookie, { username: 'mallory', password: 'mallory password' }),
      update(alice.cookie, alice.user.id, { role: 'admin' }),
      update(alice.cookie, adminId, { password: 'taken over password' }),
      remove(alice.cookie, adminId),
    ];
    for (const response of await Promise.all(asAlice)) {
      expect(response.status).toBe(403);
      expect((await response.json()).error).toMatch(/Only an admin/);
    }
    for (const response of await Promise.all([GET(apiRequest('GET', '/api/users')), remove('', adminId)])) expect(response.status).toBe(401);
    expect(await signInStatus(admin.username, admin.password)).toBe(200);
    expect(await signInStatus('mallory', 'mallory password')).toBe(401);
  });

  it("a new password ends the user's sessions; the old password stops working", async () => {
    await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const alice = await createSignedInUser(adminCookie, 'alice');
    const response = await update(adminCookie, alice.user.id, { password: 'a brand new password' });
    expect(response.status).toBe(200);
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie: alice.cookie }))).status).toBe(401);
    expect(await signInStatus('alice', alice.password)).toBe(401);
    const cookie = await signIn('alice', 'a brand new password');
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie }))).status).toBe(200);
  });

  it('changes role and quota (the session goes on); an admin cannot demote or delete themselves', async () => {
    await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const alice = await createSignedInUser(adminCookie, 'alice');
    const promoted = await update(adminCookie, alice.user.id, { role: 'admin', quota: { maxBatchImages: 3 } });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ role: 'admin', quota: { maxBatchImages: 3 } });
    // Alice is an admin now, on her existing session.
    expect((await GET(apiRequest('GET', '/api/users', { cookie: alice.cookie }))).status).toBe(200);

    const adminId = (await readJson<{ users: UserView[] }>(await GET(apiRequest('GET', '/api/users', { cookie: adminCookie })))).users[0]!.id;
    const demoteSelf = await update(adminCookie, adminId, { role: 'user' });
    expect(demoteSelf.status).toBe(400);
    expect((await remove(adminCookie, adminId)).status).toBe(400);
    expect((await update(adminCookie, 'no-such-user', { role: 'user' })).status).toBe(404);
    expect((await remove(adminCookie, 'no-such-user')).status).toBe(404);
    expect((await update(adminCookie, alice.user.id, { username: 'renamed' })).status).toBe(400);
  });

  it('deleting a user signs them out and keeps their batches, which the admin still sees', async () => {
    const { opened } = await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const alice = await createSignedInUser(adminCookie, 'alice');
    const batch = await readJson<BatchView>(await createBatch(apiRequest('POST', '/api/batches', { cookie: alice.cookie }, { prompt: 'kept', numberOfImages: 1 })));
    await waitForBatchEnd(opened, batch.id);

    expect((await remove(adminCookie, alice.user.id)).status).toBe(204);
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie: alice.cookie }))).status).toBe(401);
    expect(await signInStatus('alice', alice.password)).toBe(401);
    const seen = await getBatch(apiRequest('GET', `/api/batches/${batch.id}`, { cookie: adminCookie }), routeContext(batch.id));
    expect(seen.status).toBe(200);
    expect(await seen.json()).toMatchObject({ id: batch.id, status: 'completed' });
    expect((await remove(adminCookie, alice.user.id)).status).toBe(404);
  });
});
