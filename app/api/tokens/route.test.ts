import { hashSecret } from '@/lib/auth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchView, TokenView } from '@/lib/server';
import { apiRequest, createSignedInUser, createToken, signInAdmin, useAccountsTestApp } from '@/lib/server/testing/account-test-helpers';
import { readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { GET as getBatch } from '../batches/[id]/route';
import { GET as listBatches, POST as createBatch } from '../batches/route';
import { GET as getSession } from '../session/route';
import { DELETE as deleteUser } from '../users/[id]/route';
import { DELETE as revoke } from './[id]/route';
import { GET, POST } from './route';

afterEach(() => vi.unstubAllEnvs());

const listTokens = async (cookie: string) => {
  const response = await GET(apiRequest('GET', '/api/tokens', { cookie }));
  expect(response.status).toBe(200);
  return response;
};

describe('API tokens', () => {
  it('a new token works as Bearer at once, for the user who made it: the batch is theirs, with the token recorded', async () => {
    const { opened } = await useAccountsTestApp();
    const alice = await createSignedInUser(await signInAdmin(), 'alice');
    const created = await POST(apiRequest('POST', '/api/tokens', { cookie: alice.cookie }, { name: 'laptop CLI' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { token, secret } = await readJson<{ token: TokenView; secret: string }>(created);
    expect(secret).toMatch(/^igt_[A-Za-z0-9_-]{43}$/);
    expect(token).toEqual({ id: expect.any(String), name: 'laptop CLI', quota: {}, createdAt: expect.any(String) });

    const batch = await createBatch(apiRequest('POST', '/api/batches', { token: secret }, { prompt: 'from the CLI', numberOfImages: 1 }));
    expect(batch.status).toBe(202);
    const view = await readJson<BatchView>(batch);
    await waitForBatchEnd(opened, view.id);
    // The batch is Alice's: her session sees it, and it records the token it came with.
    expect((await getBatch(apiRequest('GET', `/api/batches/${view.id}`, { cookie: alice.cookie }), routeContext(view.id))).status).toBe(200);
    expect(await opened.store.batches.getBatch(view.id)).toMatchObject({ ownerId: alice.user.id, tokenId: token.id });

    const listed = await readJson<{ batches: BatchView[] }>(await listBatches(apiRequest('GET', '/api/batches', { token: secret })));
    expect(listed.batches.map((listedBatch) => listedBatch.id)).toEqual([view.id]);
    const session = await readJson(await getSession(apiRequest('GET', '/api/session', { token: secret })));
    expect(session).toMatchObject({ user: { username: 'alice' } });
  });

  it('lists the user\'s tokens with their last use, never a secret or its hash', async () => {
    await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const alice = await createSignedInUser(adminCookie, 'alice');
    const first = await createToken(alice.cookie, 'first', { imagesPerDay: 5 });
    const second = await createToken(alice.cookie, 'second');
    await createToken(adminCookie, "the admin's");
    await listBatches(apiRequest('GET', '/api/batches', { token: first.secret }));

    const response = await listTokens(alice.cookie);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    for (const secret of [first.secret, second.secret]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hashSecret(secret));
    }
    const { tokens } = JSON.parse(text) as { tokens: TokenView[] };
    expect(tokens.map((token) => token.name).sort()).toEqual(['first', 'second']);
    for (const token of tokens) {
      expect(Object.keys(token).filter((key) => !['id', 'name', 'quota', 'createdAt', 'lastUsedAt'].includes(key))).toEqual([]);
    }
    expect(tokens.find((token) => token.name === 'first')).toMatchObject({ quota: { imagesPerDay: 5 }, lastUsedAt: expect.any(String) });
    expect(tokens.find((token) => token.name === 'second')).not.toHaveProperty('lastUsedAt');
  });

  it('revoking works at once: the very next request with it is a 401 that says why', async () => {
    const { generateSpy } = await useAccountsTestApp();
    const alice = await createSignedInUser(await signInAdmin(), 'alice');
    const { token, secret } = await createToken(alice.cookie, 'ci');
    expect((await listBatches(apiRequest('GET', '/api/batches', { token: secret }))).status).toBe(200);

    const revoked = await revoke(apiRequest('DELETE', `/api/tokens/${token.id}`, { cookie: alice.cookie }), routeContext(token.id));
    expect(revoked.status).toBe(204);

    const refused = await listBatches(apiRequest('GET', '/api/batches', { token: secret }));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect((await refused.json()).error).toMatch(/revoked/);
    const create = await createBatch(apiRequest('POST', '/api/batches', { token: secret }, { prompt: 'after revocation' }));
    expect(create.status).toBe(401);
    expect(generateSpy).not.toHaveBeenCalled();
    // Listed as revoked; revoking again is harmless.
    const { tokens } = await readJson<{ tokens: TokenView[] }>(await listTokens(alice.cookie));
    expect(tokens[0]).toMatchObject({ id: token.id, revokedAt: expect.any(String) });
    expect((await revoke(apiRequest('DELETE', `/api/tokens/${token.id}`, { cookie: alice.cookie }), routeContext(token.id))).status).toBe(204);
  });

  it("another user cannot revoke a token (404), and the token keeps working", async () => {
    await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const alice = await createSignedInUser(adminCookie, 'alice');
    const bob = await createSignedInUser(adminCookie, 'bob');
    const { token, secret } = await createToken(alice.cookie);
    for (const cookie of [bob.cookie, adminCookie]) {
      const response = await revoke(apiRequest('DELETE', `/api/tokens/${token.id}`, { cookie }), routeContext(token.id));
      expect(response.status).toBe(404);
    }
    expect((await revoke(apiRequest('DELETE', '/api/tokens/no-such-token', { cookie: alice.cookie }), routeContext('no-such-token'))).status).toBe(404);
    expect((await listBatches(apiRequest('GET', '/api/batches', { token: secret }))).status).toBe(200);
  });

  it('a token cannot create tokens', async () => {
    await useAccountsTestApp();
    const alice = await createSignedInUser(await signInAdmin(), 'alice');
    const { secret } = await createToken(alice.cookie);
    const response = await POST(apiRequest('POST', '/api/tokens', { token: secret }, { name: 'child' }));
    expect(response.status).toBe(403);
    expect((await response.json()).error).toMatch(/account page/);
    const { tokens } = await readJson<{ tokens: TokenView[] }>(await listTokens(alice.cookie));
    expect(tokens).toHaveLength(1);
  });

  it('a deleted user\'s tokens stop working', async () => {
    await useAccountsTestApp();
    const adminCookie = await signInAdmin();
    const alice = await createSignedInUser(adminCookie, 'alice');
    const { secret } = await createToken(alice.cookie);
    expect((await deleteUser(apiRequest('DELETE', `/api/users/${alice.user.id}`, { cookie: adminCookie }), routeContext(alice.user.id))).status).toBe(204);
    expect((await listBatches(apiRequest('GET', '/api/batches', { token: secret }))).status).toBe(401);
    expect((await listBatches(apiRequest('GET', '/api/batches', { cookie: alice.cookie }))).status).toBe(401);
  });

  it('needs a signed-in user; a malformed Authorization header is a 401; bad bodies are 400s', async () => {
    await useAccountsTestApp();
    expect((await GET(apiRequest('GET', '/api/tokens'))).status).toBe(401);
    expect((await POST(apiRequest('POST', '/api/tokens', {}, { name: 'x' }))).status).toBe(401);
    for (const authorization of ['Basic YWRtaW46cGFzcw==', 'Bearer', 'Bearer a b', 'igt_abc']) {
      const response = await GET(apiRequest('GET', '/api/tokens', {}, undefined, { authorization }));
      expect(response.status, authorization).toBe(401);
    }
    const alice = await createSignedInUser(await signInAdmin(), 'alice');
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'x', quota: { imagesPerDay: -1 } }, { name: 'x', extra: 1 }, 'nope']) {
      expect((await POST(apiRequest('POST', '/api/tokens', { cookie: alice.cookie }, body))).status, JSON.stringify(body)).toBe(400);
    }
  });

  it('on a server without accounts there are no tokens to make (403)', async () => {
    await useBatchTestApp();
    const response = await POST(apiRequest('POST', '/api/tokens', {}, { name: 'x' }));
    expect(response.status).toBe(403);
    expect((await response.json()).error).toMatch(/no accounts/);
  });
});
