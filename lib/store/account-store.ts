import type { Quota } from '@/lib/core';

export type Role = 'admin' | 'user';

export interface UserRecord {
  id: string;
  /** Unique, compared without case. */
  username: string;
  role: Role;
  quota: Quota;
  /** ISO 8601, UTC. */
  createdAt: string;
}

export interface TokenRecord {
  id: string;
  userId: string;
  /** The owner's label for it ("laptop CLI"). */
  name: string;
  quota: Quota;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface NewUser {
  username: string;
  /** An Argon2id PHC string (lib/auth's `hashPassword`), never the password. */
  passwordHash: string;
  role: Role;
  /** @default {} (no limits) */
  quota?: Quota;
}

export interface UserChange {
  passwordHash?: string;
  role?: Role;
  quota?: Quota;
}

export interface NewToken {
  userId: string;
  name: string;
  /** SHA-256 (hex) of the token's secret: the secret itself is never stored. */
  secretHash: string;
  /** @default {} (only the user's limits) */
  quota?: Quota;
}

/**
 * Users, their sign-in sessions and API tokens. Secrets arrive hashed: a stolen database gives
 * no session or token that works. Unknown ids reject with a `StoreError` of kind `not_found`; a
 * taken username with `conflict`.
 */
export interface AccountStore {
  countUsers(): Promise<number>;
  createUser(user: NewUser): Promise<UserRecord>;
  getUser(userId: string): Promise<UserRecord | undefined>;
  /** With the password hash, for signing in. */
  findUserByName(username: string): Promise<(UserRecord & { passwordHash: string }) | undefined>;
  listUsers(): Promise<UserRecord[]>;
  updateUser(userId: string, change: UserChange): Promise<UserRecord>;
  /** Deletes the user with their sessions and tokens; their batches stay (an admin still sees them). */
  deleteUser(userId: string): Promise<void>;

  createSession(session: { secretHash: string; userId: string; expiresAtMs: number }): Promise<void>;
  /** The user of an unexpired session. */
  findSessionUser(secretHash: string, nowMs: number): Promise<UserRecord | undefined>;
  deleteSession(secretHash: string): Promise<void>;
  /** Ends every session of a user (a password change, a deletion). */
  deleteSessionsOf(userId: string): Promise<void>;

  createToken(token: NewToken): Promise<TokenRecord>;
  /** The user's tokens, revoked ones included, newest first. */
  listTokens(userId: string): Promise<TokenRecord[]>;
  /** The token (not revoked) with this secret and its user; records the use. */
  useToken(secretHash: string): Promise<{ token: TokenRecord; user: UserRecord } | undefined>;
  /** Revokes a token of this user: false when the user has no such token. Idempotent. */
  revokeToken(userId: string, tokenId: string): Promise<boolean>;

  close(): Promise<void>;
}
