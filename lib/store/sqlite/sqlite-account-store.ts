import { randomUUID } from 'node:crypto';
import { quotaSchema, type Quota } from '@/lib/core';
import type { AccountStore, Role, TokenRecord, UserRecord } from '../account-store';
import { StoreError } from '../store-error';
import { migrate } from './migrate';
import { batchStoreMigrations } from './migrations';
import { openDatabase } from './open-database';
import { inReadTransaction, inWriteTransaction } from './transaction';

export interface SqliteAccountStoreOptions {
  /** The same database file as the batch store (one schema, one migration history). */
  filePath: string;
  busyTimeoutMs?: number;
  /** @default () => new Date() */
  now?: () => Date;
}

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  quota: string;
  created_at: string;
}

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  quota: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const sql = {
  countUsers: `SELECT COUNT(*) AS count FROM users`,
  insertUser: `INSERT INTO users (id, username, password_hash, role, quota, created_at) VALUES (:id, :username, :passwordHash, :role, :quota, :now)`,
  selectUser: `SELECT * FROM users WHERE id = :userId`,
  selectUserByName: `SELECT * FROM users WHERE username = :username`,
  selectUsers: `SELECT * FROM users ORDER BY created_at, username`,
  updateUser: `UPDATE users SET password_hash = COALESCE(:passwordHash, password_hash), role = COALESCE(:role, role),
    quota = COALESCE(:quota, quota) WHERE id = :userId`,
  deleteUser: `DELETE FROM users WHERE id = :userId`,
  insertSession: `INSERT INTO sessions (secret_hash, user_id, created_at, expires_ms) VALUES (:secretHash, :userId, :now, :expiresMs)`,
  selectSessionUser: `SELECT users.* FROM sessions JOIN users ON users.id = sessions.user_id
    WHERE sessions.secret_hash = :secretHash AND sessions.expires_ms > :nowMs`,
  deleteSession: `DELETE FROM sessions WHERE secret_hash = :secretHash`,
  deleteSessionsOf: `DELETE FROM sessions WHERE user_id = :userId`,
  deleteExpiredSessions: `DELETE FROM sessions WHERE expires_ms <= :nowMs`,
  insertToken: `INSERT INTO api_tokens (id, user_id, name, secret_hash, quota, created_at) VALUES (:id, :userId, :name, :secretHash, :quota, :now)`,
  selectTokens: `SELECT * FROM api_tokens WHERE user_id = :userId ORDER BY created_at DESC, id`,
  selectToken: `SELECT * FROM api_tokens WHERE id = :tokenId`,
  selectLiveTokenBySecret: `SELECT * FROM api_tokens WHERE secret_hash = :secretHash AND revoked_at IS NULL`,
  touchToken: `UPDATE api_tokens SET last_used_at = :now WHERE id = :tokenId`,
  revokeToken: `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, :now) WHERE id = :tokenId AND user_id = :userId`,
} as const;

/** The account store on the same SQLite file as the batches, through its own connection. */
export function createSqliteAccountStore(options: SqliteAccountStoreOptions): AccountStore {
  const now = options.now ?? (() => new Date());
  const database = openDatabase(options.filePath, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    migrate(database, batchStoreMigrations, now);
  } catch (error) {
    database.close();
    throw error;
  }
  const query = Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, database.prepare(text)])) as Record<
    keyof typeof sql,
    ReturnType<typeof database.prepare>
  >;
  const timestamp = () => now().toISOString();
  const readUser = (userId: string) => {
    const row = query.selectUser.get({ userId }) as UserRow | undefined;
    return row ? toUser(row) : undefined;
  };
  let closed = false;

  return {
    async countUsers() {
      return (query.countUsers.get() as { count: number }).count;
    },

    async createUser({ username, passwordHash, role, quota = {} }) {
      return inWriteTransaction(database, () => {
        if (query.selectUserByName.get({ username })) throw new StoreError('conflict', `The username "${username}" is taken.`);
        const id = randomUUID();
        query.insertUser.run({ id, username, passwordHash, role, quota: JSON.stringify(quota), now: timestamp() });
        return readUser(id)!;
      });
    },

    async getUser(userId) {
      return readUser(userId);
    },

    async findUserByName(username) {
      const row = query.selectUserByName.get({ username }) as UserRow | undefined;
      return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
    },

    async listUsers() {
      return (query.selectUsers.all() as unknown as UserRow[]).map(toUser);
    },

    async updateUser(userId, change) {
      return inWriteTransaction(database, () => {
        const changes = query.updateUser.run({
          userId,
          passwordHash: change.passwordHash ?? null,
          role: change.role ?? null,
          quota: change.quota === undefined ? null : JSON.stringify(change.quota),
        }).changes;
        if (changes !== 1) throw new StoreError('not_found', 'No user with this id.');
        return readUser(userId)!;
      });
    },

    async deleteUser(userId) {
      const changes = inWriteTransaction(database, () => query.deleteUser.run({ userId }).changes);
      if (changes !== 1) throw new StoreError('not_found', 'No user with this id.');
    },

    async createSession({ secretHash, userId, expiresAtMs }) {
      inWriteTransaction(database, () => {
        // Sign-ins are rare: a good moment to forget the sessions that have expired.
        query.deleteExpiredSessions.run({ nowMs: now().getTime() });
        query.insertSession.run({ secretHash, userId, now: timestamp(), expiresMs: expiresAtMs });
      });
    },

    async findSessionUser(secretHash, nowMs) {
      const row = query.selectSessionUser.get({ secretHash, nowMs }) as UserRow | undefined;
      return row ? toUser(row) : undefined;
    },

    async deleteSession(secretHash) {
      query.deleteSession.run({ secretHash });
    },

    async deleteSessionsOf(userId) {
      query.deleteSessionsOf.run({ userId });
    },

    async createToken({ userId, name, secretHash, quota = {} }) {
      return inWriteTransaction(database, () => {
        if (!readUser(userId)) throw new StoreError('not_found', 'No user with this id.');
        const id = randomUUID();
        query.insertToken.run({ id, userId, name, secretHash, quota: JSON.stringify(quota), now: timestamp() });
        return toToken(query.selectToken.get({ tokenId: id }) as unknown as TokenRow);
      });
    },

    async listTokens(userId) {
      return (query.selectTokens.all({ userId }) as unknown as TokenRow[]).map(toToken);
    },

    async useToken(secretHash) {
      return inWriteTransaction(database, () => {
        const row = query.selectLiveTokenBySecret.get({ secretHash }) as TokenRow | undefined;
        if (!row) return undefined;
        const user = readUser(row.user_id);
        if (!user) return undefined;
        const usedAt = timestamp();
        query.touchToken.run({ tokenId: row.id, now: usedAt });
        return { token: toToken({ ...row, last_used_at: usedAt }), user };
      });
    },

    async revokeToken(userId, tokenId) {
      return inWriteTransaction(database, () => query.revokeToken.run({ userId, tokenId, now: timestamp() }).changes === 1);
    },

    async close() {
      if (closed) return;
      closed = true;
      database.close();
    },
  };
}

/** A stored quota that no longer parses (written by a newer version) limits nothing rather than failing every request. */
function parseQuota(text: string): Quota {
  const parsed = quotaSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : {};
}

function toUser(row: UserRow): UserRecord {
  return { id: row.id, username: row.username, role: row.role, quota: parseQuota(row.quota), createdAt: row.created_at };
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    quota: parseQuota(row.quota),
    createdAt: row.created_at,
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
  };
}
