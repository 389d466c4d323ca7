import { Server, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * Requests that Next.js cannot even represent: it builds a WHATWG `Request` for each one, and
 * undici's constructor throws on `TRACE` and `TRACK` (forbidden methods) and `CONNECT`, so they end
 * as a bare 500 before any proxy or route code runs; `OPTIONS *` names no path at all. `next start`
 * offers no hook before that point, so this answers them on the HTTP server itself, at the first
 * listener call: 405 (with Allow) or 400, and nothing else reaches the app.
 */
const forbiddenMethods = new Set(['TRACE', 'TRACK', 'CONNECT']);

export function refusalOfUnsupportedRequest(method: string | undefined, url: string | undefined): { status: number; error: string } | undefined {
  if (method && forbiddenMethods.has(method.toUpperCase())) return { status: 405, error: `Method ${method.toUpperCase()} is not allowed.` };
  if (url === '*' || (url !== undefined && !url.startsWith('/'))) return { status: 400, error: 'The request names no path on this server.' };
  return undefined;
}

const installedMarker = Symbol.for('imagegen.unsupportedRequestsGuard');

/** Installs the guard on every HTTP server of this process (once). */
export function refuseUnsupportedRequests(): void {
  const prototype = Server.prototype as Server & { [installedMarker]?: true };
  if (prototype[installedMarker]) return;
  prototype[installedMarker] = true;
  const emit = prototype.emit;
  prototype.emit = function guardedEmit(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const [request, response] = args as [IncomingMessage, ServerResponse];
      const refusal = refusalOfUnsupportedRequest(request.method, request.url);
      if (refusal) {
        response.writeHead(refusal.status, {
          'content-type': 'application/json',
          ...(refusal.status === 405 ? { allow: 'GET, HEAD, POST, DELETE, OPTIONS' } : {}),
        });
        response.end(JSON.stringify({ error: refusal.error }));
        request.resume();
        return true;
      }
    }
    return (emit as (this: Server, ...rest: unknown[]) => boolean).call(this, event, ...args);
  } as Server['emit'];
}
