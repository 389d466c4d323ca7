import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { quotaSchema, type Quota } from '@/lib/core';
import type { AccountStore, Role, TokenRecord, UserRecord } from '../account-store';
import { StoreError } from '../store-error';
import { compileQueries, createPool, errorCode, inWriteTransaction, poolCloser, run, type PostgresConnectionOptions } from './database';
import { migrate } from './migrate';
import { postgresMigrations } from './migrations';

export interface PostgresAccountStoreOptions {
  /** The batch store's database (one schema, one migration history): a connection string, or a pool the caller owns. */
  connection: PostgresConnectionOptions | { pool: Pool };
  /** @default true */
  migrate?: boolean;
  /** @default () => new Date() */
  now?: () => Date;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  quota: unknown;
  created_at: Date;
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  quota: unknown;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const foreignKeyViolation = '23503';

/** Named rather than `*` (see the batch store's statements); a token's secret hash is never read back. */
const user = 'id, username, password_hash, role, quota, created_at';
const userOf = (table: string) => user.split(', ').map((column) => `${table}.${column}`).join(', ');
const token = 'id, user_id, name, quota, created_at, last_used_at, revoked_at';

/**
 * Usernames compare without case, as SQLite's `COLLATE NOCASE` column does, through the unique index
 * on `lower(username)` (which also folds non-ASCII letters, where NOCASE folds only A to Z).
 */
const query = compileQueries('accounts', {
  countUsers: `SELECT COUNT(*) AS count FROM users`,
  // The unique index decides, so two sign-ups with one name at once cannot both succeed.
  insertUser: `INSERT INTO users (id, username, password_hash, role, quota, created_at)
    VALUES (:id, :username, :passwordHash, :role, :quota::jsonb, :now)
    ON CONFLICT ((lower(username))) DO NOTHING RETURNING ${user}`,
  selectUser: `SELECT ${user} FROM users WHERE id = :userId`,
  selectUserByName: `SELECT ${user} FROM users WHERE lower(username) = lower(:username)`,
  selectUsers: `SELECT ${user} FROM users ORDER BY created_at, lower(username), username`,
  updateUser: `UPDATE users SET password_hash = COALESCE(:passwordHash, password_hash), role = COALESCE(:role, role),
    quota = COALESCE(:quota::jsonb, quota) WHERE id = :userId RETURNING ${user}`,
  deleteUser: `DELETE FROM users WHERE id = :userId`,
  insertSession: `INSERT INTO sessions (secret_hash, user_id, created_at, expires_ms) VALUES (:secretHash, :userId, :now, :expiresMs)`,
  selectSessionUser: `SELECT ${userOf('users')} FROM sessions JOIN users ON users.id = sessions.user_id
    WHERE sessions.secret_hash = :secretHash AND sessions.expires_ms > :nowMs`,
  deleteSession: `DELETE FROM sessions WHERE secret_hash = :secretHash`,
  deleteSessionsOf: `DELETE FROM sessions WHERE user_id = :userId`,
  deleteExpiredSessions: `DELETE FROM sessions WHERE expires_ms <= :nowMs`,
  // Inserts only when the user exists: no row back means no such user.
  insertToken: `INSERT INTO api_tokens (id, user_id, name, secret_hash, quota, created_at)
    SELECT :id, users.id, :name, :secretHash, :quota::jsonb, :now FROM users WHERE users.id = :userId
    RETURNING ${token}`,
  selectTokens: `SELECT ${token} FROM api_tokens WHERE user_id = :userId ORDER BY created_at DESC, id`,
  useLiveToken: `UPDATE api_tokens SET last_used_at = :now WHERE secret_hash = :secretHash AND revoked_at IS NULL RETURNING ${token}`,
  revokeToken: `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, :now) WHERE id = :tokenId AND user_id = :userId`,
});

/** The account store on the batch store's PostgreSQL database. */
export async function createPostgresAccountStore(options: PostgresAccountStoreOptions): Promise<AccountStore> {
  const now = options.now ?? (() => new Date());
  const ownsPool = !('pool' in options.connection);
  const pool = 'pool' in options.connection ? options.connection.pool : createPool(options.connection);
  const endPool = ownsPool ? poolCloser(pool) : async () => {};
  if (options.migrate !== false) {
    try {
      await migrate(pool, postgresMigrations, now);
    } catch (error) {
      await endPool();
      throw error;
    }
  }
  const timestamp = () => now().toISOString();
  const noUser = () => new StoreError('not_found', 'No user with this id.');
  let isClosed = false;

  return {
    async countUsers() {
      return (await run<{ count: number }>(pool, query.countUsers)).rows[0]!.count;
    },

    async createUser({ username, passwordHash, role, quota = {} }) {
      const { rows } = await run<UserRow>(pool, query.insertUser, {
        id: randomUUID(),
        username,
        passwordHash,
        role,
        quota: JSON.stringify(quota),
        now: timestamp(),
      });
      if (!rows[0]) throw new StoreError('conflict', `The username "${username}" is taken.`);
      return toUser(rows[0]);
    },

    async getUser(userId) {
      const row = (await run<UserRow>(pool, query.selectUser, { userId })).rows[0];
      return row ? toUser(row) : undefined;
    },

    async findUserByName(username) {
      const row = (await run<UserRow>(pool, query.selectUserByName, { username })).rows[0];
      return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
    },

    async listUsers() {
      return (await run<UserRow>(pool, query.selectUsers)).rows.map(toUser);
    },

    async updateUser(userId, change) {
      const { rows } = await run<UserRow>(pool, query.updateUser, {
        userId,
        passwordHash: change.passwordHash ?? null,
        role: change.role ?? null,
        quota: change.quota === undefined ? null : JSON.stringify(change.quota),
      });
      if (!rows[0]) throw noUser();
      return toUser(rows[0]);
    },

    async deleteUser(userId) {
      // Sessions and tokens go with the user (ON DELETE CASCADE), in the same statement.
      const { rowCount } = await run(pool, query.deleteUser, { userId });
      if (rowCount !== 1) throw noUser();
    },

    async createSession({ secretHash, userId, expiresAtMs }) {
      try {
        await inWriteTransaction(pool, async (client) => {
          // Sign-ins are rare: a good moment to forget the sessions that have expired.
          await run(client, query.deleteExpiredSessions, { nowMs: now().getTime() });
          await run(client, query.insertSession, { secretHash, userId, now: timestamp(), expiresMs: expiresAtMs });
        });
      } catch (error) {
        if (errorCode(error) === foreignKeyViolation) throw noUser();
        throw error;
      }
    },

    async findSessionUser(secretHash, nowMs) {
      const row = (await run<UserRow>(pool, query.selectSessionUser, { secretHash, nowMs })).rows[0];
      return row ? toUser(row) : undefined;
    },

    async deleteSession(secretHash) {
      await run(pool, query.deleteSession, { secretHash });
    },

    async deleteSessionsOf(userId) {
      await run(pool, query.deleteSessionsOf, { userId });
    },

    async createToken({ userId, name, secretHash, quota = {} }) {
      const { rows } = await run<TokenRow>(pool, query.insertToken, {
        id: randomUUID(),
        userId,
        name,
        secretHash,
        quota: JSON.stringify(quota),
        now: timestamp(),
      });
      if (!rows[0]) throw noUser();
      return toToken(rows[0]);
    },

    async listTokens(userId) {
      return (await run<TokenRow>(pool, query.selectTokens, { userId })).rows.map(toToken);
    },

    async useToken(secretHash) {
      return inWriteTransaction(pool, async (client) => {
        const row = (await run<TokenRow>(client, query.useLiveToken, { secretHash, now: timestamp() })).rows[0];
        if (!row) return undefined;
        // The foreign key's cascade means a token always has its user; read in the same transaction.
        const user = (await run<UserRow>(client, query.selectUser, { userId: row.user_id })).rows[0];
        return user ? { token: toToken(row), user: toUser(user) } : undefined;
      });
    },

    async revokeToken(userId, tokenId) {
      return (await run(pool, query.revokeToken, { userId, tokenId, now: timestamp() })).rowCount === 1;
    },

    async close() {
      if (isClosed) return;
      isClosed = true;
      await endPool();
    },
  };
}

/** A stored quota that no longer parses (written by a newer version) limits nothing rather than failing every request. */
function parseQuota(value: unknown): Quota {
  const parsed = quotaSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

function toUser(row: UserRow): UserRecord {
  return { id: row.id, username: row.username, role: row.role, quota: parseQuota(row.quota), createdAt: row.created_at.toISOString() };
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    quota: parseQuota(row.quota),
    createdAt: row.created_at.toISOString(),
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at.toISOString() }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at.toISOString() }),
  };
}
