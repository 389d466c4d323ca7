import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

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
const connectAnswered = Symbol.for('imagegen.connectAnswered');
const allowedMethods = 'GET, HEAD, POST, DELETE, OPTIONS';

/**
 * Node's HTTP server destroys the socket of a CONNECT when nobody listens for it (the client sees
 * a dropped connection, not an answer); with this listener it gets a 405 like TRACE does.
 */
function answerConnect(_request: IncomingMessage, socket: Duplex): void {
  const body = JSON.stringify({ error: 'Method CONNECT is not allowed.' });
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\nAllow: ${allowedMethods}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The header that tells the app where a request's connection comes from (see lib/server/accounts.ts). */
const peerHeader = 'x-imagegen-peer';

/** True for a client address on this machine: 127.0.0.0/8, ::1, and IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return ipv4.startsWith('127.') || address === '::1';
}

/**
 * Marks the request with where its connection comes from, replacing any such header the client
 * sent: only the socket knows, and a server without accounts serves this machine alone.
 */
export function markRequestPeer(request: IncomingMessage): void {
  request.headers[peerHeader] = isLoopbackAddress(request.socket?.remoteAddress) ? 'loopback' : 'remote';
  const raw = request.rawHeaders;
  for (let index = raw.length - 2; index >= 0; index -= 2) {
    if (raw[index]!.toLowerCase() === peerHeader) raw.splice(index, 2);
  }
  raw.push(peerHeader, request.headers[peerHeader]);
}

/** Installs the guard (and the peer mark) on every HTTP server of this process (once). */
export function refuseUnsupportedRequests(): void {
  const prototype = Server.prototype as Server & { [installedMarker]?: true };
  if (prototype[installedMarker]) return;
  prototype[installedMarker] = true;
  const emit = prototype.emit;
  prototype.emit = function guardedEmit(this: Server & { [connectAnswered]?: true }, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'connection' && !this[connectAnswered] && this.listenerCount('connect') === 0) {
      this[connectAnswered] = true;
      this.on('connect', answerConnect);
    }
    if (event === 'request') {
      const [request, response] = args as [IncomingMessage, ServerResponse];
      markRequestPeer(request);
      const refusal = refusalOfUnsupportedRequest(request.method, request.url);
      if (refusal) {
        response.writeHead(refusal.status, {
          'content-type': 'application/json',
          ...(refusal.status === 405 ? { allow: allowedMethods } : {}),
        });
        response.end(JSON.stringify({ error: refusal.error }));
        request.resume();
        return true;
      }
    }
    return (emit as (this: Server, ...rest: unknown[]) => boolean).call(this, event, ...args);
  } as Server['emit'];
}
