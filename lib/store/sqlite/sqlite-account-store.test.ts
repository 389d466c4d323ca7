import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountStore } from '../account-store';
import { isStoreError } from '../store-error';
import { rejectionOf, sampleBatch } from '../testing/conformance-context';
import { openDatabase } from './open-database';
import { createSqliteAccountStore } from './sqlite-account-store';
import { createSqliteBatchStore } from './sqlite-batch-store';

describe('SQLite account store', () => {
  let directory: string;
  let filePath: string;
  let clock: Date;
  let store: AccountStore;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'imagegen-accounts-'));
    filePath = join(directory, 'imagegen.sqlite');
    clock = new Date('2026-03-14T10:00:00.000Z');
    store = createSqliteAccountStore({ filePath, now: () => clock });
    closers.push(() => store.close());
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await rm(directory, { recursive: true, force: true });
  });

  const newUser = (username: string, role: 'admin' | 'user' = 'user') => store.createUser({ username, passwordHash: `$argon2id$hash-of-${username}`, role });

  describe('users', () => {
    it('creates a user with no limits by default, and finds them by id and by name', async () => {
      expect(await store.countUsers()).toBe(0);
      const alice = await newUser('alice', 'admin');
      expect(alice).toEqual({ id: expect.any(String), username: 'alice', role: 'admin', quota: {}, createdAt: clock.toISOString() });
      expect(await store.countUsers()).toBe(1);
      expect(await store.getUser(alice.id)).toEqual(alice);
      // Only the sign-in lookup carries the hash.
      expect(await store.getUser(alice.id)).not.toHaveProperty('passwordHash');
      expect(await store.findUserByName('alice')).toEqual({ ...alice, passwordHash: '$argon2id$hash-of-alice' });
      expect(await store.getUser('no-such-user')).toBeUndefined();
      expect(await store.findUserByName('bob')).toBeUndefined();
    });

    it('usernames compare without case: found in any case, and a name taken in another case is a conflict', async () => {
      const alice = await newUser('Alice');
      expect((await store.findUserByName('ALICE'))?.id).toBe(alice.id);
      expect((await store.findUserByName('alice'))?.id).toBe(alice.id);
      for (const taken of ['Alice', 'alice', 'ALICE']) {
        const error = await rejectionOf(newUser(taken));
        expect(isStoreError(error) && error.kind, taken).toBe('conflict');
      }
      expect(await store.countUsers()).toBe(1);
    });

    it('keeps the quota, lists users oldest first, and updates only what is given', async () => {
      const alice = await store.createUser({ username: 'alice', passwordHash: 'h1', role: 'user', quota: { imagesPerDay: 10, allowedModels: ['demo'] } });
      clock = new Date('2026-03-14T11:00:00.000Z');
      const bob = await newUser('bob');
      expect((await store.listUsers()).map((user) => user.username)).toEqual(['alice', 'bob']);
      expect(alice.quota).toEqual({ imagesPerDay: 10, allowedModels: ['demo'] });

      const promoted = await store.updateUser(alice.id, { role: 'admin' });
      expect(promoted).toMatchObject({ role: 'admin', quota: { imagesPerDay: 10, allowedModels: ['demo'] } });
      expect((await store.findUserByName('alice'))?.passwordHash).toBe('h1');
      await store.updateUser(alice.id, { passwordHash: 'h2', quota: {} });
      expect(await store.findUserByName('alice')).toMatchObject({ passwordHash: 'h2', role: 'admin', quota: {} });
      expect(await store.getUser(bob.id)).toEqual(bob);

      const error = await rejectionOf(store.updateUser('no-such-user', { role: 'admin' }));
      expect(isStoreError(error) && error.kind).toBe('not_found');
    });
  });

  describe('sessions', () => {
    it('finds the user of an unexpired session only', async () => {
      const alice = await newUser('alice');
      const expiresAtMs = clock.getTime() + 60_000;
      await store.createSession({ secretHash: 'session-1', userId: alice.id, expiresAtMs });
      expect(await store.findSessionUser('session-1', expiresAtMs - 1)).toEqual(alice);
      expect(await store.findSessionUser('session-1', expiresAtMs)).toBeUndefined();
      expect(await store.findSessionUser('session-1', expiresAtMs + 1)).toBeUndefined();
      expect(await store.findSessionUser('another', clock.getTime())).toBeUndefined();
    });

    it('deleteSession ends one session; deleteSessionsOf ends every session of one user only', async () => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const expiresAtMs = clock.getTime() + 60_000;
      for (const [secretHash, userId] of [
        ['alice-laptop', alice.id],
        ['alice-phone', alice.id],
        ['alice-tablet', alice.id],
        ['bob-laptop', bob.id],
      ]) {
        await store.createSession({ secretHash: secretHash!, userId: userId!, expiresAtMs });
      }
      const nowMs = clock.getTime();
      await store.deleteSession('alice-tablet');
      expect(await store.findSessionUser('alice-tablet', nowMs)).toBeUndefined();
      expect(await store.findSessionUser('alice-laptop', nowMs)).toMatchObject({ username: 'alice' });

      await store.deleteSessionsOf(alice.id);
      expect(await store.findSessionUser('alice-laptop', nowMs)).toBeUndefined();
      expect(await store.findSessionUser('alice-phone', nowMs)).toBeUndefined();
      expect(await store.findSessionUser('bob-laptop', nowMs)).toMatchObject({ username: 'bob' });
    });

    it('signing in forgets expired sessions, and a session belongs to an existing user', async () => {
      const alice = await newUser('alice');
      await store.createSession({ secretHash: 'old', userId: alice.id, expiresAtMs: clock.getTime() + 1000 });
      clock = new Date(clock.getTime() + 2000);
      await store.createSession({ secretHash: 'new', userId: alice.id, expiresAtMs: clock.getTime() + 1000 });
      // Even asked about with an earlier clock, the expired one is gone.
      expect(await store.findSessionUser('old', 0)).toBeUndefined();
      expect(await store.findSessionUser('new', clock.getTime())).toMatchObject({ id: alice.id });
      await expect(store.createSession({ secretHash: 'orphan', userId: 'no-such-user', expiresAtMs: clock.getTime() + 1000 })).rejects.toThrow();
    });
  });

  describe('API tokens', () => {
    it('creates a token (no secret in the record), finds it by its secret hash and records the use', async () => {
      const alice = await newUser('alice');
      const token = await store.createToken({ userId: alice.id, name: 'laptop CLI', secretHash: 'token-hash', quota: { maxBatchImages: 5 } });
      expect(token).toEqual({ id: expect.any(String), userId: alice.id, name: 'laptop CLI', quota: { maxBatchImages: 5 }, createdAt: clock.toISOString() });
      expect(JSON.stringify(token)).not.toContain('token-hash');

      clock = new Date('2026-03-14T12:34:56.000Z');
      const used = await store.useToken('token-hash');
      expect(used).toEqual({ token: { ...token, lastUsedAt: '2026-03-14T12:34:56.000Z' }, user: alice });
      expect((await store.listTokens(alice.id))[0]!.lastUsedAt).toBe('2026-03-14T12:34:56.000Z');
      clock = new Date('2026-03-14T13:00:00.000Z');
      await store.useToken('token-hash');
      expect((await store.listTokens(alice.id))[0]!.lastUsedAt).toBe('2026-03-14T13:00:00.000Z');

      expect(await store.useToken('unknown-hash')).toBeUndefined();
    });

    it('a revoked token is not found; revoking is idempotent', async () => {
      const alice = await newUser('alice');
      const token = await store.createToken({ userId: alice.id, name: 'ci', secretHash: 'token-hash' });
      expect(await store.revokeToken(alice.id, token.id)).toBe(true);
      expect(await store.useToken('token-hash')).toBeUndefined();
      const revokedAt = (await store.listTokens(alice.id))[0]!.revokedAt;
      expect(revokedAt).toBe(clock.toISOString());

      clock = new Date(clock.getTime() + 60_000);
      expect(await store.revokeToken(alice.id, token.id)).toBe(true);
      // The first revocation's time stays.
      expect((await store.listTokens(alice.id))[0]!.revokedAt).toBe(revokedAt);
      expect(await store.useToken('token-hash')).toBeUndefined();
    });

    it("revoking another user's token, or an unknown one, is false and changes nothing", async () => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const token = await store.createToken({ userId: alice.id, name: 'ci', secretHash: 'alice-token' });
      expect(await store.revokeToken(bob.id, token.id)).toBe(false);
      expect(await store.revokeToken(alice.id, 'no-such-token')).toBe(false);
      expect((await store.useToken('alice-token'))?.user.id).toBe(alice.id);
      expect((await store.listTokens(alice.id))[0]).not.toHaveProperty('revokedAt');
    });

    it("lists a user's tokens only, newest first, revoked ones included", async () => {
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const first = await store.createToken({ userId: alice.id, name: 'first', secretHash: 'a1' });
      clock = new Date(clock.getTime() + 1000);
      const second = await store.createToken({ userId: alice.id, name: 'second', secretHash: 'a2' });
      await store.createToken({ userId: bob.id, name: 'bob', secretHash: 'b1' });
      await store.revokeToken(alice.id, first.id);
      expect((await store.listTokens(alice.id)).map((token) => [token.id, token.revokedAt !== undefined])).toEqual([
        [second.id, false],
        [first.id, true],
      ]);
      expect(await store.listTokens('no-such-user')).toEqual([]);
    });

    it('a token needs an existing user (not_found), and two tokens cannot share a secret', async () => {
      const error = await rejectionOf(store.createToken({ userId: 'no-such-user', name: 'x', secretHash: 'h' }));
      expect(isStoreError(error) && error.kind).toBe('not_found');
      const alice = await newUser('alice');
      await store.createToken({ userId: alice.id, name: 'one', secretHash: 'same' });
      await expect(store.createToken({ userId: alice.id, name: 'two', secretHash: 'same' })).rejects.toThrow();
      expect(await store.listTokens(alice.id)).toHaveLength(1);
    });
  });

  describe('deleteUser', () => {
    it("deletes the user with their sessions and tokens, keeps their batches, and leaves other users' alone", async () => {
      const batches = createSqliteBatchStore({ filePath });
      closers.push(() => batches.close());
      const alice = await newUser('alice');
      const bob = await newUser('bob');
      const expiresAtMs = clock.getTime() + 60_000;
      await store.createSession({ secretHash: 'alice-session', userId: alice.id, expiresAtMs });
      await store.createSession({ secretHash: 'bob-session', userId: bob.id, expiresAtMs });
      const token = await store.createToken({ userId: alice.id, name: 'ci', secretHash: 'alice-token' });
      await store.createToken({ userId: bob.id, name: 'ci', secretHash: 'bob-token' });
      const batch = await batches.createBatch(sampleBatch({ ownerId: alice.id, tokenId: token.id }));

      await store.deleteUser(alice.id);

      expect(await store.getUser(alice.id)).toBeUndefined();
      expect(await store.findUserByName('alice')).toBeUndefined();
      expect(await store.findSessionUser('alice-session', clock.getTime())).toBeUndefined();
      expect(await store.useToken('alice-token')).toBeUndefined();
      expect(await store.listTokens(alice.id)).toEqual([]);
      expect(await batches.getBatch(batch.id)).toMatchObject({ id: batch.id, ownerId: alice.id, tokenId: token.id });
      expect(await store.findSessionUser('bob-session', clock.getTime())).toMatchObject({ id: bob.id });
      expect((await store.useToken('bob-token'))?.user.id).toBe(bob.id);
      expect(await store.countUsers()).toBe(1);

      // The name is free again.
      expect((await newUser('alice')).id).not.toBe(alice.id);
      const error = await rejectionOf(store.deleteUser(alice.id));
      expect(isStoreError(error) && error.kind).toBe('not_found');
    });
  });

  it('shares the database with the batch store: either may open it first, and both migrate to the same version', async () => {
    await store.close();
    const batches = createSqliteBatchStore({ filePath });
    closers.push(() => batches.close());
    store = createSqliteAccountStore({ filePath, now: () => clock });
    const alice = await newUser('alice');
    const batch = await batches.createBatch(sampleBatch({ ownerId: alice.id }));
    expect((await batches.listBatches({ ownerId: alice.id })).batches.map((listed) => listed.id)).toEqual([batch.id]);
  });

  it('a stored quota that no longer parses limits nothing rather than failing', async () => {
    const alice = await store.createUser({ username: 'alice', passwordHash: 'h', role: 'user', quota: { imagesPerDay: 3 } });
    const database = openDatabase(filePath);
    database.prepare(`UPDATE users SET quota = '{"imagesPerHour": 3}' WHERE id = ?`).run(alice.id);
    database.close();
    expect((await store.getUser(alice.id))?.quota).toEqual({});
  });
});
