import { AppError, ConfigError, isAppError } from '@/lib/core';
import { hashPassword, hashSecret, newSecret, passwordProblem } from '@/lib/auth';
import type { AccountStore, TokenRecord, UserRecord } from '@/lib/store';
import { logEvent } from './logger';
import { loopbackHostNames, requestGuardSettingsFrom } from './request-guard';

/**
 * Who is asking: the one person of a server without accounts (on this machine), or a signed-in
 * user (by session cookie, or by API token: then `token` is set and its quota applies too).
 */
export type Principal = { kind: 'local' } | { kind: 'user'; user: UserRecord; token?: TokenRecord };

/** The local person and admins see every batch; a user sees their own. */
export function seesEverything(principal: Principal): boolean {
  return principal.kind === 'local' || principal.user.role === 'admin';
}

/** The owner recorded on what this principal creates (none without accounts). */
export function ownerIdOf(principal: Principal): string | undefined {
  return principal.kind === 'user' ? principal.user.id : undefined;
}

/** True when this principal may see a batch (or image) owned by `ownerId`. */
export function canSee(principal: Principal, ownerId: string | null | undefined): boolean {
  return seesEverything(principal) || (principal.kind === 'user' && ownerId === principal.user.id);
}

/** Not signed in (401) or not allowed (403): the message says what to do. */
export class AuthError extends AppError {
  readonly status: 401 | 403;
  constructor(status: 401 | 403, message: string) {
    super('AuthError', message);
    this.status = status;
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return isAppError(error, 'AuthError');
}

export interface AccountSettings {
  /** ADMIN_PASSWORD: creates the admin at first start. */
  adminPassword?: string;
  /** ADMIN_USERNAME. @default 'admin' */
  adminUsername: string;
  /** PUBLIC_URL or ALLOWED_HOSTS name a host beyond loopback: the server is meant for a network. */
  servesNetwork: boolean;
  /** PUBLIC_URL is https: the session cookie is `Secure`. */
  secureCookie: boolean;
  /** Where the setup link points. */
  publicUrl?: string;
}

export function accountSettingsFrom(env: Record<string, string | undefined>): AccountSettings {
  const guard = requestGuardSettingsFrom(env);
  const adminPassword = env.ADMIN_PASSWORD?.length ? env.ADMIN_PASSWORD : undefined;
  const publicUrl = guard.publicOrigin;
  return {
    ...(adminPassword === undefined ? {} : { adminPassword }),
    adminUsername: env.ADMIN_USERNAME?.trim() || 'admin',
    servesNetwork: [...guard.allowedHostNames].some((name) => !loopbackHostNames.has(name)),
    secureCookie: publicUrl?.startsWith('https:') ?? false,
    ...(publicUrl === undefined ? {} : { publicUrl }),
  };
}

/** The accounts side of the running server: the store, the settings, the pending setup link. */
export interface Accounts {
  store: AccountStore;
  settings: AccountSettings;
  /** True when requests must be signed in: users exist, ADMIN_PASSWORD is set, or the server is meant for a network. */
  required(): Promise<boolean>;
  /** The setup link's secret while no user exists; undefined once the admin is created. */
  setupSecret(): string | undefined;
  /** Spends the setup secret (the admin was created). */
  endSetup(): void;
}

/**
 * At start: with no user yet, ADMIN_PASSWORD creates the admin; otherwise a one-time setup link is
 * logged (open it to create the admin and turn accounts on). Without either, and not meant for a
 * network, the server stays single-person and serves only this machine: it says so in the log.
 */
export async function openAccounts(
  store: AccountStore,
  settings: AccountSettings,
  { port = process.env.PORT ?? '3000', servesHttp = true }: { port?: string; servesHttp?: boolean } = {},
): Promise<Accounts> {
  let setupSecret: string | undefined;
  // A process that serves no HTTP (`npm run worker`) has no setup page: it creates the admin from
  // ADMIN_PASSWORD like any other, but logs no link that would lead nowhere.
  if ((await store.countUsers()) === 0 && (servesHttp || settings.adminPassword !== undefined)) {
    if (settings.adminPassword !== undefined) {
      const problem = passwordProblem(settings.adminPassword);
      if (problem) throw new ConfigError(`ADMIN_PASSWORD is not usable: ${problem}`);
      try {
        await store.createUser({ username: settings.adminUsername, passwordHash: await hashPassword(settings.adminPassword), role: 'admin' });
        logEvent('admin-created', { username: settings.adminUsername });
      } catch (error) {
        // Another process on the same database created it first (several start at once).
        if (!isAppError(error, 'StoreError') || (error as { kind?: string }).kind !== 'conflict') throw error;
      }
    } else {
      setupSecret = newSecret();
      const base = settings.publicUrl ?? `http://127.0.0.1:${port}`;
      // The one secret we log, on purpose: whoever reads the server's log is its operator.
      logEvent('setup-link', {
        url: `${base}/setup?token=${setupSecret}`,
        hint: settings.servesNetwork
          ? 'No account exists yet: open this link to create the admin. Until then every request must sign in and none can.'
          : 'Accounts are off: this server serves only this machine (127.0.0.1). To serve a network, set ADMIN_PASSWORD (or open this link to create the admin) and PUBLIC_URL or ALLOWED_HOSTS.',
      });
    }
  }
  return {
    store,
    settings,
    async required() {
      return settings.servesNetwork || settings.adminPassword !== undefined || (await store.countUsers()) > 0;
    },
    setupSecret: () => setupSecret,
    endSetup() {
      setupSecret = undefined;
    },
  };
}

/** The header the HTTP server sets on every request (see `markRequestPeer`): was the client on this machine? */
export const peerHeader = 'x-imagegen-peer';
export const sessionCookieName = 'imagegen_session';
export const sessionLifetimeMs = 30 * 24 * 60 * 60_000;

/**
 * Who sent these headers: an API token (`Authorization: Bearer`), else a session cookie, else, on
 * a server without accounts, the local person when the client is on this machine.
 */
export async function authenticate(headers: Headers, accounts: Accounts): Promise<Principal> {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AuthError(401, 'The Authorization header must be "Bearer <API token>".');
    const used = await accounts.store.useToken(hashSecret(match[1]!));
    if (!used) throw new AuthError(401, 'This API token is not valid: it was revoked or mistyped. Create a new one on the account page.');
    return { kind: 'user', user: used.user, token: used.token };
  }
  const session = sessionSecretOf(headers);
  if (session !== undefined) {
    const user = await accounts.store.findSessionUser(hashSecret(session), Date.now());
    if (user) return { kind: 'user', user };
  }
  if (await accounts.required()) {
    if (accounts.setupSecret() !== undefined) {
      throw new AuthError(401, "This server has no admin yet: open the setup link printed in the server's log, or set ADMIN_PASSWORD and restart it.");
    }
    throw new AuthError(401, 'Sign in first: on the page (/sign-in), or send an API token as "Authorization: Bearer <token>".');
  }
  if (!isFromThisMachine(headers)) {
    throw new AuthError(
      403,
      'This server has no accounts, so it serves only this machine. To use it from the network, set ADMIN_PASSWORD and PUBLIC_URL (or ALLOWED_HOSTS) and restart it.',
    );
  }
  return { kind: 'local' };
}

/**
 * The HTTP server marks each request with where its connection comes from (and drops any such
 * header a client sent). A request without the mark did not come through that server: only
 * tests call the route handlers that way, so outside tests it counts as remote (fail closed).
 */
function isFromThisMachine(headers: Headers): boolean {
  const peer = headers.get(peerHeader);
  if (peer === null) return process.env.NODE_ENV === 'test';
  return peer === 'loopback';
}

function sessionSecretOf(headers: Headers): string | undefined {
  const cookie = headers.get('cookie');
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === sessionCookieName) {
      const value = part.slice(separator + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/** The `Set-Cookie` value that signs a browser in (HttpOnly, SameSite=Lax, Secure behind https). */
export function sessionCookie(secret: string, settings: AccountSettings): string {
  return [
    `${sessionCookieName}=${secret}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.floor(sessionLifetimeMs / 1000)}`,
    ...(settings.secureCookie ? ['Secure'] : []),
  ].join('; ');
}

/** The `Set-Cookie` value that signs a browser out. */
export function clearedSessionCookie(settings: AccountSettings): string {
  return [`${sessionCookieName}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0', ...(settings.secureCookie ? ['Secure'] : [])].join('; ');
}

/** The session secret of a sign-out request, to forget it. */
export function sessionSecretFrom(headers: Headers): string | undefined {
  return sessionSecretOf(headers);
}
