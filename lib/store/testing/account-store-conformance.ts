import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountStore, NewUser } from '../account-store';
import { isStoreError } from '../store-error';
import { rejectionOf } from './conformance-context';

/** What an implementation provides to run the account store suite against it. */
export interface AccountStoreHarness {
  /** Opens a store on this harness's database; again, another independent store (connection, pool) on it. */
  open(options?: { now?: () => Date }): Promise<AccountStore>;
  /** Removes the database (the suite closes the stores it opened first). */
  dispose(): Promise<void>;
}

/** Makes a harness with a fresh, empty database; called once per test. */
export type CreateAccountStoreHarness = () => Promise<AccountStoreHarness>;

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const argon2Hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';

function newUser(username: string, overrides: Partial<NewUser> = {}): NewUser {
  return { username, passwordHash: argon2Hash, role: 'user', ...overrides };
}

/** A clock the test moves: one second per call, so every record gets its own time. */
function steppingClock(startMs = Date.UTC(2026, 0, 1)): () => Date {
  let nowMs = startMs;
  return () => new Date((nowMs += 1_000));
}

/**
 * The behaviour every `AccountStore` owes the server (users, sessions, API tokens), as one suite:
 * call it from an implementation's test file with a harness factory (a fresh database per test).
 */
export function describeAccountStoreConformance(implementationName: string, createHarness: CreateAccountStoreHarness): void {
  describe(`AccountStore conformance: ${implementationName}`, () => {
    let harness: AccountStoreHarness;
    let opened: AccountStore[] = [];
    let store: AccountStore;
    const open = async (options?: { now?: () => Date }) => {
      const opening = await harness.open(options);
      opened.push(opening);
      return opening;
    };

    beforeEach(async () => {
      harness = await createHarness();
      opened = [];
      store = await open();
    });

    afterEach(async () => {
      for (const openStore of opened) await openStore.close();
      await harness.dispose();
    });

    const kindOf = async (promise: Promise<unknown>) => {
      const error = await rejectionOf(promise);
      return isStoreError(error) ? error.kind : error;
    };

    describe('users', () => {
      it('creates a user, found by id and by name without case, with the password hash only for signing in', async () => {
        expect(await store.countUsers()).toBe(0);
        const created = await store.createUser(newUser('Ada', { role: 'admin', quota: { imagesPerDay: 50 } }));

        expect(created).toEqual({ id: expect.any(String), username: 'Ada', role: 'admin', quota: { imagesPerDay: 50 }, createdAt: expect.any(String) });
        expect(created.createdAt).toMatch(isoTimestamp);
        expect(await store.countUsers()).toBe(1);
        expect(await store.getUser(created.id)).toEqual(created);
        expect(await store.findUserByName('ada')).toEqual({ ...created, passwordHash: argon2Hash });
        expect(await store.findUserByName('ADA')).toMatchObject({ id: created.id });
        expect(await store.findUserByName('grace')).toBeUndefined();
        expect(await store.getUser('no-such-user')).toBeUndefined();
      });

      it('refuses a username that is taken, whatever its case, as a conflict', async () => {
        await store.createUser(newUser('grace'));
        expect(await kindOf(store.createUser(newUser('GRACE')))).toBe('conflict');
        expect(await kindOf(store.createUser(newUser('grace')))).toBe('conflict');
        expect(await store.countUsers()).toBe(1);
      });

      it('lets one of two stores creating the same user at once succeed, and the other get a conflict', async () => {
        const other = await open();
        const outcomes = await Promise.allSettled([store.createUser(newUser('linus')), other.createUser(newUser('Linus'))]);

        expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
        const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
        expect(isStoreError(rejected?.reason) && rejected.reason.kind).toBe('conflict');
        expect(await store.countUsers()).toBe(1);
      });

      it('lists users oldest first', async () => {
        const clocked = await open({ now: steppingClock() });
        const names = ['zoe', 'Bob', 'alice'];
        for (const name of names) await clocked.createUser(newUser(name));
        expect((await clocked.listUsers()).map((user) => user.username)).toEqual(names);
      });

      it('updates only what a change names; an unknown user is not_found', async () => {
        const user = await store.createUser(newUser('ken', { quota: { imagesPerDay: 10 } }));

        const promoted = await store.updateUser(user.id, { role: 'admin' });
        expect(promoted).toEqual({ ...user, role: 'admin' });
        const limited = await store.updateUser(user.id, { quota: { concurrentBatches: 2, allowedModels: ['demo'] } });
        expect(limited.quota).toEqual({ concurrentBatches: 2, allowedModels: ['demo'] });
        await store.updateUser(user.id, { passwordHash: '$argon2id$new' });
        expect(await store.findUserByName('ken')).toMatchObject({ role: 'admin', passwordHash: '$argon2id$new', quota: limited.quota });
        expect(await store.updateUser(user.id, { quota: {} })).toMatchObject({ quota: {} });

        expect(await kindOf(store.updateUser('no-such-user', { role: 'admin' }))).toBe('not_found');
      });

      it('deletes a user with their sessions and tokens; an unknown user is not_found', async () => {
        const user = await store.createUser(newUser('dennis'));
        const kept = await store.createUser(newUser('brian'));
        await store.createSession({ secretHash: 'session-of-dennis', userId: user.id, expiresAtMs: Date.now() + 60_000 });
        await store.createSession({ secretHash: 'session-of-brian', userId: kept.id, expiresAtMs: Date.now() + 60_000 });
        await store.createToken({ userId: user.id, name: 'laptop', secretHash: 'token-of-dennis' });

        await store.deleteUser(user.id);

        expect(await store.getUser(user.id)).toBeUndefined();
        expect(await store.findSessionUser('session-of-dennis', Date.now())).toBeUndefined();
        expect(await store.useToken('token-of-dennis')).toBeUndefined();
        expect(await store.listTokens(user.id)).toEqual([]);
        expect(await store.findSessionUser('session-of-brian', Date.now())).toEqual(kept);
        expect(await kindOf(store.deleteUser(user.id))).toBe('not_found');
        expect(await store.countUsers()).toBe(1);
      });
    });

    describe('sessions', () => {
      it('finds the user of a session until it expires, and not after', async () => {
        const user = await store.createUser(newUser('barbara'));
        const expiresAtMs = Date.now() + 60_000;
        await store.createSession({ secretHash: 'session-1', userId: user.id, expiresAtMs });

        expect(await store.findSessionUser('session-1', expiresAtMs - 1)).toEqual(user);
        expect(await store.findSessionUser('session-1', expiresAtMs)).toBeUndefined();
        expect(await store.findSessionUser('no-such-session', expiresAtMs - 1)).toBeUndefined();
      });

      it('ends one session, or every session of a user', async () => {
        const user = await store.createUser(newUser('edsger'));
        const other = await store.createUser(newUser('tony'));
        const expiresAtMs = Date.now() + 60_000;
        for (const secretHash of ['phone', 'laptop']) await store.createSession({ secretHash, userId: user.id, expiresAtMs });
        await store.createSession({ secretHash: 'tony-desk', userId: other.id, expiresAtMs });

        await store.deleteSession('phone');
        expect(await store.findSessionUser('phone', Date.now())).toBeUndefined();
        expect(await store.findSessionUser('laptop', Date.now())).toEqual(user);

        await store.deleteSessionsOf(user.id);
        expect(await store.findSessionUser('laptop', Date.now())).toBeUndefined();
        expect(await store.findSessionUser('tony-desk', Date.now())).toEqual(other);
        await expect(store.deleteSession('already-gone')).resolves.toBeUndefined();
      });

      it('forgets expired sessions when a new one is created', async () => {
        const user = await store.createUser(newUser('john'));
        const pastMs = Date.now() - 60_000;
        await store.createSession({ secretHash: 'old', userId: user.id, expiresAtMs: pastMs });
        // Asked about a moment before it expired, the session is still there…
        expect(await store.findSessionUser('old', pastMs - 1)).toEqual(user);

        await store.createSession({ secretHash: 'new', userId: user.id, expiresAtMs: Date.now() + 60_000 });

        // …until the next sign-in removes it.
        expect(await store.findSessionUser('old', pastMs - 1)).toBeUndefined();
        expect(await store.findSessionUser('new', Date.now())).toEqual(user);
      });
    });

    describe('API tokens', () => {
      it('creates tokens for a user, listed newest first; an unknown user is not_found', async () => {
        const clocked = await open({ now: steppingClock() });
        const user = await clocked.createUser(newUser('margaret'));

        const first = await clocked.createToken({ userId: user.id, name: 'laptop CLI', secretHash: 'secret-1' });
        const second = await clocked.createToken({ userId: user.id, name: 'CI', secretHash: 'secret-2', quota: { imagesPerDay: 5 } });

        expect(first).toEqual({ id: expect.any(String), userId: user.id, name: 'laptop CLI', quota: {}, createdAt: expect.any(String) });
        expect(first.createdAt).toMatch(isoTimestamp);
        expect(second.quota).toEqual({ imagesPerDay: 5 });
        expect(await clocked.listTokens(user.id)).toEqual([second, first]);
        expect(await clocked.listTokens('no-such-user')).toEqual([]);
        expect(await kindOf(clocked.createToken({ userId: 'no-such-user', name: 'x', secretHash: 'secret-3' }))).toBe('not_found');
      });

      it('uses a live token by its secret: the token and its user, with the use recorded', async () => {
        const clocked = await open({ now: steppingClock() });
        const user = await clocked.createUser(newUser('frances'));
        const token = await clocked.createToken({ userId: user.id, name: 'script', secretHash: 'secret' });

        const used = await clocked.useToken('secret');

        expect(used?.user).toEqual(user);
        expect(used?.token).toEqual({ ...token, lastUsedAt: expect.any(String) });
        expect(used!.token.lastUsedAt! > token.createdAt).toBe(true);
        expect(used?.token.lastUsedAt).toMatch(isoTimestamp);
        expect((await clocked.listTokens(user.id))[0]).toEqual(used?.token);
        expect(await clocked.useToken('wrong-secret')).toBeUndefined();
      });

      it('revokes a token of its user only, once: a revoked token no longer works', async () => {
        const user = await store.createUser(newUser('alan'));
        const stranger = await store.createUser(newUser('mallory'));
        const token = await store.createToken({ userId: user.id, name: 'old', secretHash: 'secret' });

        expect(await store.revokeToken(stranger.id, token.id)).toBe(false);
        expect(await store.useToken('secret')).toBeDefined();
        expect(await store.revokeToken(user.id, token.id)).toBe(true);
        const [revoked] = await store.listTokens(user.id);
        expect(revoked?.revokedAt).toMatch(isoTimestamp);

        expect(await store.useToken('secret')).toBeUndefined();
        // Idempotent: the first revocation time stays.
        expect(await store.revokeToken(user.id, token.id)).toBe(true);
        expect((await store.listTokens(user.id))[0]?.revokedAt).toBe(revoked?.revokedAt);
        expect(await store.revokeToken(user.id, 'no-such-token')).toBe(false);
      });
    });

    it('shows another store on the same database what the first one wrote', async () => {
      const user = await store.createUser(newUser('katherine'));
      await store.createSession({ secretHash: 'shared-session', userId: user.id, expiresAtMs: Date.now() + 60_000 });
      const other = await open();
      expect(await other.findSessionUser('shared-session', Date.now())).toEqual(user);
      expect(await other.findUserByName('KATHERINE')).toMatchObject({ id: user.id });
    });

    it('can be closed twice', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
