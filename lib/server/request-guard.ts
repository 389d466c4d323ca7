/**
 * The checks every request passes before any route sees it (run by proxy.ts): the Host it names,
 * the site a state-changing request comes from (CSRF), the method, and the path's encoding. Pure:
 * the proxy hands in what it read and answers the refusal this returns.
 */

export interface RequestGuardSettings {
  /**
   * Host names (lower case, without port) this server answers to, besides the loopback ones. From
   * `PUBLIC_URL` and `ALLOWED_HOSTS`. Anything else is refused: that is what stops DNS rebinding.
   */
  allowedHostNames: ReadonlySet<string>;
  /** `PUBLIC_URL`'s origin (`https://images.example.org`): the page's origin behind a reverse proxy. */
  publicOrigin?: string;
}

export interface GuardedRequest {
  method: string;
  /** The path as sent, still percent-encoded. */
  path: string;
  headers: Headers;
}

export interface Refusal {
  status: number;
  error: string;
  headers?: Record<string, string>;
}

export const loopbackHostNames: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const apiMethods = ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'];

/** `PUBLIC_URL` and `ALLOWED_HOSTS` (a comma list) as the guard's settings; bad entries are skipped. */
export function requestGuardSettingsFrom(env: Record<string, string | undefined>): RequestGuardSettings {
  const names = new Set<string>();
  let publicOrigin: string | undefined;
  const publicUrl = env.PUBLIC_URL?.trim();
  if (publicUrl) {
    try {
      const url = new URL(publicUrl);
      names.add(url.hostname.toLowerCase());
      publicOrigin = url.origin.toLowerCase();
    } catch {
      // A bad PUBLIC_URL allows nothing more: the loopback names still work.
    }
  }
  for (const entry of (env.ALLOWED_HOSTS ?? '').split(',')) {
    const name = hostNameOf(entry.trim());
    if (name) names.add(name);
  }
  return { allowedHostNames: names, ...(publicOrigin ? { publicOrigin } : {}) };
}

/** The refusal for this request, or undefined when it may go on. */
export function guardRequest(request: GuardedRequest, settings: RequestGuardSettings): Refusal | undefined {
  const isAllowedHost = (name: string | undefined) => name !== undefined && (loopbackHostNames.has(name) || settings.allowedHostNames.has(name));

  const host = hostNameOf(request.headers.get('host') ?? '');
  if (!isAllowedHost(host)) {
    return {
      status: 421,
      error: `This server does not answer to the host "${host ?? ''}": add it to ALLOWED_HOSTS (or set PUBLIC_URL) on the server.`,
    };
  }

  if (!isWellEncoded(request.path)) return { status: 400, error: 'The address is not valid: it has a malformed %-escape.' };

  const method = request.method.toUpperCase();
  if (request.path.startsWith('/api/') && !apiMethods.includes(method)) {
    return { status: 405, error: `Method ${method} is not allowed here.`, headers: { Allow: apiMethods.join(', ') } };
  }

  if (!safeMethods.has(method)) {
    // Browsers say where a request comes from; curl, SDKs and the CLI send neither header and are
    // checked by authentication instead (a token is not a cookie a foreign page can ride on).
    const fetchSite = request.headers.get('sec-fetch-site');
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') return crossSite();
    // The Origin must be this very host and port (another port of the same machine is another
    // origin), or the public URL a reverse proxy serves the page under.
    const origin = request.headers.get('origin')?.toLowerCase();
    if (origin !== undefined) {
      const requestHost = (request.headers.get('host') ?? '').trim().toLowerCase();
      const isSameOrigin = originHostOf(origin) === requestHost || (settings.publicOrigin !== undefined && origin === settings.publicOrigin);
      if (!isSameOrigin) return crossSite();
    }
  }
  return undefined;
}

function crossSite(): Refusal {
  return { status: 403, error: 'Refused: this request comes from another site. Use the page on this server, or an API client.' };
}

/** `Example.org:3000` → `example.org`; `[::1]:3000` → `[::1]`; undefined for anything else. */
function hostNameOf(host: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(host.trim());
  return match ? match[1]!.toLowerCase() : undefined;
}

/** `http://127.0.0.1:3000` → `127.0.0.1:3000` (the port left out when it is the scheme's default, as in a Host header). */
function originHostOf(origin: string): string | undefined {
  if (origin === 'null') return undefined;
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function isWellEncoded(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
