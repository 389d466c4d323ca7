import type { z } from 'zod';
import type { Quota } from '@/lib/core/quota';
import { jsonBody, requestJson, send, type ApiResult, type ResponseSchemas } from './api-request';

/**
 * The accounts API as the pages use it: sign-in sessions, the first admin's setup, the signed-in
 * user's API tokens, users (admin). Every answer is validated with these schemas, never cast.
 */

/** lib/auth's minimum (the server checks it too): the forms say so before sending. */
export const minPasswordLength = 10;

export type UserView = z.infer<ResponseSchemas['userViewSchema']>;
export type TokenView = z.infer<ResponseSchemas['tokenViewSchema']>;
export type CreatedToken = z.infer<ResponseSchemas['createdTokenSchema']>;

/** `POST /api/session`: a 401 here is "wrong username or password", an answer for the form. */
export function signIn(username: string, password: string): Promise<ApiResult<UserView>> {
  return unwrapUser(requestJson('/api/session', { method: 'POST', ...jsonBody({ username, password }) }, (schemas) => schemas.signedInSchema, { isSignInRequired: false }));
}

/** `DELETE /api/session`: the session ends on the server and the cookie is cleared. */
export async function signOut(): Promise<ApiResult<null>> {
  const sent = await send('/api/session', { method: 'DELETE' }, { isSignInRequired: false });
  return sent.ok ? { ok: true, value: null } : sent;
}

/** `POST /api/setup`: the first admin, from the setup link's token; signed in on success. */
export function setUp(token: string, username: string, password: string): Promise<ApiResult<UserView>> {
  return unwrapUser(requestJson('/api/setup', { method: 'POST', ...jsonBody({ token, username, password }) }, (schemas) => schemas.signedInSchema, { isSignInRequired: false }));
}

export async function listTokens(): Promise<ApiResult<TokenView[]>> {
  const result = await requestJson('/api/tokens', { cache: 'no-store' }, (schemas) => schemas.tokenListSchema);
  return result.ok ? { ok: true, value: result.value.tokens } : result;
}

/** `POST /api/tokens`: the answer holds the token's secret, this once. */
export function createToken(name: string, quota: Quota): Promise<ApiResult<CreatedToken>> {
  return requestJson('/api/tokens', { method: 'POST', ...jsonBody({ name, ...(isEmpty(quota) ? {} : { quota }) }) }, (schemas) => schemas.createdTokenSchema);
}

export async function revokeToken(tokenId: string): Promise<ApiResult<null>> {
  const sent = await send(`/api/tokens/${encodeURIComponent(tokenId)}`, { method: 'DELETE' });
  return sent.ok ? { ok: true, value: null } : sent;
}

export async function listUsers(): Promise<ApiResult<UserView[]>> {
  const result = await requestJson('/api/users', { cache: 'no-store' }, (schemas) => schemas.userListSchema);
  return result.ok ? { ok: true, value: result.value.users } : result;
}

export interface NewUser {
  username: string;
  password: string;
  role: UserView['role'];
  quota: Quota;
}

export function createUser(user: NewUser): Promise<ApiResult<UserView>> {
  return requestJson('/api/users', { method: 'POST', ...jsonBody(user) }, (schemas) => schemas.userViewSchema);
}

export interface UserChange {
  role?: UserView['role'];
  quota?: Quota;
  /** A new password ends the user's sessions. */
  password?: string;
}

export function updateUser(userId: string, change: UserChange): Promise<ApiResult<UserView>> {
  return requestJson(`/api/users/${encodeURIComponent(userId)}`, { method: 'POST', ...jsonBody(change) }, (schemas) => schemas.userViewSchema);
}

export async function deleteUser(userId: string): Promise<ApiResult<null>> {
  const sent = await send(`/api/users/${encodeURIComponent(userId)}`, { method: 'DELETE' });
  return sent.ok ? { ok: true, value: null } : sent;
}

async function unwrapUser(pending: Promise<ApiResult<{ user: UserView }>>): Promise<ApiResult<UserView>> {
  const result = await pending;
  return result.ok ? { ok: true, value: result.value.user } : result;
}

function isEmpty(quota: Quota): boolean {
  return Object.keys(quota).length === 0;
}
