import { expect } from 'vitest';
import type { Quota } from '@/lib/core';
import { respondToCreateToken, respondToCreateUser, respondToSignIn, type TokenView, type UserView } from '@/lib/server';
import { useBatchTestApp } from './batch-test-helpers';

/** The admin that ADMIN_PASSWORD creates at start (ADMIN_USERNAME unset: `admin`). */
export const admin = { username: 'admin', password: 'correct horse battery' } as const;

/**
 * A fresh app with accounts on (ADMIN_PASSWORD set: the admin exists from the start), on the demo
 * provider with its own DATA_DIR; its runtime (store, queue, accounts) is opened.
 */
export async function useAccountsTestApp(env: Record<string, string> = {}) {
  const testApp = await useBatchTestApp({ ADMIN_PASSWORD: admin.password, ...env });
  const runtime = await testApp.runtime();
  return { ...testApp, opened: runtime };
}

export interface Credentials {
  /** A session cookie (`imagegen_session=…`), as a browser sends it back. */
  cookie?: string;
  /** An API token's secret, sent as `Authorization: Bearer`. */
  token?: string;
}

/** A request as a client sends it: with a session cookie or an API token, and a JSON body when given. */
export function apiRequest(method: string, path: string, credentials: Credentials = {}, body?: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(credentials.cookie ? { cookie: credentials.cookie } : {}),
      ...(credentials.token ? { authorization: `Bearer ${credentials.token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** The `name=value` part of a `Set-Cookie`, as the browser sends it back. */
export function cookieOf(response: Response): string {
  const setCookie = response.headers.get('set-cookie');
  expect(setCookie, 'Set-Cookie').toBeTruthy();
  return setCookie!.split(';')[0]!;
}

/** Signs in through the API; the session cookie. */
export async function signIn(username: string, password: string): Promise<string> {
  const response = await respondToSignIn(apiRequest('POST', '/api/session', {}, { username, password }));
  expect(response.status, await response.clone().text()).toBe(200);
  return cookieOf(response);
}

/** The admin's session (the admin ADMIN_PASSWORD created). */
export function signInAdmin(): Promise<string> {
  return signIn(admin.username, admin.password);
}

/** A user created by the admin through the API, then signed in: their record and session cookie. */
export async function createSignedInUser(adminCookie: string, username: string, quota: Quota = {}, role: 'admin' | 'user' = 'user') {
  const password = `${username} password 1234`;
  const response = await respondToCreateUser(apiRequest('POST', '/api/users', { cookie: adminCookie }, { username, password, role, quota }));
  expect(response.status, await response.clone().text()).toBe(201);
  const user = (await response.json()) as UserView;
  return { user, password, cookie: await signIn(username, password) };
}

/** An API token created by a signed-in user: its view and its secret. */
export async function createToken(cookie: string, name = 'test token', quota?: Quota): Promise<{ token: TokenView; secret: string }> {
  const response = await respondToCreateToken(apiRequest('POST', '/api/tokens', { cookie }, { name, ...(quota ? { quota } : {}) }));
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { token: TokenView; secret: string };
}
