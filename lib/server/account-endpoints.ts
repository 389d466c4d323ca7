import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { quotaSchema, type Quota } from '@/lib/core';
import { hashPassword, hashSecret, maxPasswordLength, newApiToken, newSecret, passwordProblem, secretsMatch, verifyPassword } from '@/lib/auth';
import type { TokenRecord, UserRecord } from '@/lib/store';
import { AuthError, authenticate, clearedSessionCookie, sessionCookie, sessionLifetimeMs, sessionSecretFrom, type Accounts, type Principal } from './accounts';
import { getApp } from './create-app';
import { storeErrorKindOf } from './error-kinds';
import { InputError } from './input-error';
import { readJsonBody } from './request-body';
import { toErrorResponse } from './to-response';

/**
 * The accounts API: sign-in sessions, the first admin's setup, users (admin only) and each user's
 * API tokens. Route files pass the request (and id) here; every error maps in `toErrorResponse`.
 */

/** What the API says of a user: never the password hash. */
export interface UserView {
  id: string;
  username: string;
  role: UserRecord['role'];
  quota: Quota;
  createdAt: string;
}

/** What the API says of a token: never its secret (shown once, at creation) nor its hash. */
export type TokenView = Omit<TokenRecord, 'userId'>;

const usernameSchema = z
  .string({ error: 'username must be a string.' })
  .trim()
  .min(1, 'username is empty.')
  .max(64, 'username is at most 64 characters.')
  .regex(/^[\p{L}\p{N}._@-]+$/u, 'username may hold letters, digits and . _ @ - only.');
const passwordSchema = z.string({ error: 'password must be a string.' }).max(maxPasswordLength, `password is at most ${maxPasswordLength} characters.`);
const newPasswordSchema = passwordSchema.superRefine((password, context) => {
  const problem = passwordProblem(password);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

const signInSchema = z.object({ username: z.string().max(200), password: passwordSchema }, { error: 'Send { "username", "password" }.' });
const setupSchema = z.object({ token: z.string().max(200), username: usernameSchema, password: newPasswordSchema });
const newUserSchema = z
  .object({ username: usernameSchema, password: newPasswordSchema, role: z.enum(['admin', 'user']).optional(), quota: quotaSchema.optional() })
  .strict();
const userChangeSchema = z.object({ password: newPasswordSchema.optional(), role: z.enum(['admin', 'user']).optional(), quota: quotaSchema.optional() }).strict();
const newTokenSchema = z
  .object({ name: z.string({ error: 'name must be a string.' }).trim().min(1, 'name is empty.').max(100, 'name is at most 100 characters.'), quota: quotaSchema.optional() })
  .strict();

async function withAccounts(work: (accounts: Accounts) => Promise<Response>): Promise<Response> {
  try {
    return await work((await getApp().batches()).accounts);
  } catch (error) {
    return toErrorResponse(error);
  }
}

async function parse<Schema extends z.ZodType>(request: Request, schema: Schema): Promise<z.output<Schema>> {
  const parsed = schema.safeParse(await readJsonBody(request, 64 * 1024));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.');
    throw new InputError(`${issue?.message ?? 'The body is not valid.'}${path && !issue?.message.startsWith(path) ? ` (${path})` : ''}`, { field: 'body' });
  }
  return parsed.data;
}

function toUserView(user: UserRecord): UserView {
  return { id: user.id, username: user.username, role: user.role, quota: user.quota, createdAt: user.createdAt };
}

function toTokenView({ userId: _userId, ...token }: TokenRecord): TokenView {
  return token;
}

/** A signed-in user (any role), by session or token. */
async function requireUser(request: Request, accounts: Accounts): Promise<Extract<Principal, { kind: 'user' }>> {
  const principal = await authenticate(request.headers, accounts);
  if (principal.kind !== 'user') throw new AuthError(403, 'This server has no accounts: create the admin first (the setup link in the log, or ADMIN_PASSWORD).');
  return principal;
}

async function requireAdmin(request: Request, accounts: Accounts): Promise<Extract<Principal, { kind: 'user' }>> {
  const principal = await requireUser(request, accounts);
  if (principal.user.role !== 'admin') throw new AuthError(403, 'Only an admin may manage users.');
  return principal;
}

async function startSession(accounts: Accounts, user: UserRecord, status: number): Promise<Response> {
  const secret = newSecret();
  await accounts.store.createSession({ secretHash: hashSecret(secret), userId: user.id, expiresAtMs: Date.now() + sessionLifetimeMs });
  return Response.json({ user: toUserView(user) }, { status, headers: { 'Set-Cookie': sessionCookie(secret, accounts.settings), 'Cache-Control': 'no-store' } });
}

/** `GET /api/session` → `{ accounts: 'on' | 'off', setupPending, user? }`: who the page is signed in as. */
export const respondToGetSession = (request: Request) =>
  withAccounts(async (accounts) => {
    const required = await accounts.required();
    const body: Record<string, unknown> = { accounts: required ? 'on' : 'off', setupPending: accounts.setupSecret() !== undefined && required };
    try {
      const principal = await authenticate(request.headers, accounts);
      if (principal.kind === 'user') body.user = toUserView(principal.user);
    } catch {
      // Not signed in: the body says so by having no user.
    }
    return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
  });

/**
 * Password guessing: after `failedSignInsAllowed` wrong passwords for one username within the
 * window, that username's sign-ins are refused (429) until the window has passed. In memory: one
 * process serves the accounts' sign-ins today.
 */
const failedSignInsAllowed = 10;
const failedSignIns = new RateLimiterMemory({ points: failedSignInsAllowed, duration: 15 * 60 });

/** `POST /api/session` `{ username, password }` → 200 with the session cookie; 401 when they do not match, 429 after too many tries. */
export const respondToSignIn = (request: Request) =>
  withAccounts(async (accounts) => {
    const { username, password } = await parse(request, signInSchema);
    const key = username.trim().toLowerCase();
    const tries = await failedSignIns.get(key);
    if (tries && tries.consumedPoints >= failedSignInsAllowed) {
      const seconds = Math.max(1, Math.ceil(tries.msBeforeNext / 1000));
      return Response.json(
        { error: `Too many wrong passwords for this username: try again in ${Math.ceil(seconds / 60)} minutes.` },
        { status: 429, headers: { 'Retry-After': String(seconds) } },
      );
    }
    const found = await accounts.store.findUserByName(username.trim());
    if (!(await verifyPassword(found?.passwordHash, password)) || !found) {
      await failedSignIns.penalty(key, 1);
      throw new AuthError(401, 'Wrong username or password.');
    }
    await failedSignIns.delete(key);
    const { passwordHash: _hash, ...user } = found;
    return startSession(accounts, user, 200);
  });

/** `DELETE /api/session` → 204; the session ends on the server too. */
export const respondToSignOut = (request: Request) =>
  withAccounts(async (accounts) => {
    const secret = sessionSecretFrom(request.headers);
    if (secret !== undefined) await accounts.store.deleteSession(hashSecret(secret));
    return new Response(null, { status: 204, headers: { 'Set-Cookie': clearedSessionCookie(accounts.settings) } });
  });

/** `POST /api/setup` `{ token, username, password }` → 201: the setup link's admin, signed in. Once. */
export const respondToSetup = (request: Request) =>
  withAccounts(async (accounts) => {
    const { token, username, password } = await parse(request, setupSchema);
    const expected = accounts.setupSecret();
    if (expected === undefined || (await accounts.store.countUsers()) > 0) {
      throw new AuthError(403, 'This server is already set up: sign in instead.');
    }
    if (!secretsMatch(token, expected)) throw new AuthError(403, "This setup link is not valid: copy it again from the server's log.");
    const passwordHash = await hashPassword(password);
    // Spent before the next await: another request holding the link that was hashing meanwhile is refused.
    if (accounts.setupSecret() !== expected) throw new AuthError(403, 'This server is already set up: sign in instead.');
    accounts.endSetup();
    const user = await accounts.store.createUser({ username, passwordHash, role: 'admin' });
    return startSession(accounts, user, 201);
  });

/** `GET /api/users` (admin) → `{ users }`. */
export const respondToListUsers = (request: Request) =>
  withAccounts(async (accounts) => {
    await requireAdmin(request, accounts);
    return Response.json({ users: (await accounts.store.listUsers()).map(toUserView) }, { headers: { 'Cache-Control': 'no-store' } });
  });

/** `POST /api/users` (admin) `{ username, password, role?, quota? }` → 201 the user; 409 when the name is taken. */
export const respondToCreateUser = (request: Request) =>
  withAccounts(async (accounts) => {
    await requireAdmin(request, accounts);
    const { username, password, role = 'user', quota = {} } = await parse(request, newUserSchema);
    const user = await accounts.store.createUser({ username, passwordHash: await hashPassword(password), role, quota });
    return Response.json(toUserView(user), { status: 201 });
  });

/** `POST /api/users/:id` (admin) `{ password?, role?, quota? }` → the user; a new password ends their sessions. */
export const respondToUpdateUser = (request: Request, userId: string) =>
  withAccounts(async (accounts) => {
    const admin = await requireAdmin(request, accounts);
    const { password, role, quota } = await parse(request, userChangeSchema);
    if (userId === admin.user.id && role === 'user') throw new InputError('An admin cannot take away their own admin role.', { field: 'body' });
    const user = await accounts.store
      .updateUser(userId, { ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }), ...(role ? { role } : {}), ...(quota ? { quota } : {}) })
      .catch(rethrowNoSuchUser);
    if (password !== undefined) await accounts.store.deleteSessionsOf(userId);
    return Response.json(toUserView(user));
  });

/** `DELETE /api/users/:id` (admin) → 204; their sessions and tokens end, their batches stay. */
export const respondToDeleteUser = (request: Request, userId: string) =>
  withAccounts(async (accounts) => {
    const admin = await requireAdmin(request, accounts);
    if (userId === admin.user.id) throw new InputError('An admin cannot delete their own account.', { field: 'body' });
    await accounts.store.deleteUser(userId).catch(rethrowNoSuchUser);
    return new Response(null, { status: 204 });
  });

/** `GET /api/tokens` → `{ tokens }`: the signed-in user's, revoked ones included. */
export const respondToListTokens = (request: Request) =>
  withAccounts(async (accounts) => {
    const { user } = await requireUser(request, accounts);
    return Response.json({ tokens: (await accounts.store.listTokens(user.id)).map(toTokenView) }, { headers: { 'Cache-Control': 'no-store' } });
  });

/** `POST /api/tokens` `{ name, quota? }` → 201 `{ token, secret }`: the secret is shown this once. */
export const respondToCreateToken = (request: Request) =>
  withAccounts(async (accounts) => {
    const principal = await requireUser(request, accounts);
    if (principal.token) throw new AuthError(403, 'Create API tokens on the account page (signed in), not with another token.');
    const { name, quota = {} } = await parse(request, newTokenSchema);
    const secret = newApiToken();
    const token = await accounts.store.createToken({ userId: principal.user.id, name, secretHash: hashSecret(secret), quota });
    return Response.json({ token: toTokenView(token), secret }, { status: 201, headers: { 'Cache-Control': 'no-store' } });
  });

/** `DELETE /api/tokens/:id` → 204: the token stops working at once. */
export const respondToRevokeToken = (request: Request, tokenId: string) =>
  withAccounts(async (accounts) => {
    const { user } = await requireUser(request, accounts);
    if (!(await accounts.store.revokeToken(user.id, tokenId))) throw new InputError('No API token with this id.', { status: 404 });
    return new Response(null, { status: 204 });
  });

function rethrowNoSuchUser(error: unknown): never {
  if (storeErrorKindOf(error) === 'not_found') throw new InputError('No user with this id.', { status: 404 });
  throw error;
}
