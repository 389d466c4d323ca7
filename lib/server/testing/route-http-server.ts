import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { guardRequest, requestGuardSettingsFrom } from '../request-guard';
import { markRequestPeer } from '../unsupported-requests';

/** A Next.js route handler as the route file exports it (dynamic params are not needed here). */
export type RouteHandler = (request: Request) => Promise<Response>;

export interface MountedRoute {
  method: string;
  /** The exact path, e.g. `/v1/images/generations`, or a pattern (the handler reads the URL). */
  path: string | RegExp;
  handler: RouteHandler;
}

export interface RouteHttpServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves route handlers over real HTTP on 127.0.0.1, as `next start` would reach them: the peer
 * mark (instrumentation.ts), then the request guard (proxy.ts: Host allow-list, CSRF, methods),
 * then the handler with a Request whose signal aborts when the client hangs up. For tests that
 * drive the API with an unmodified HTTP client (the `openai` SDK) without a slow `next build`.
 */
export async function startRouteHttpServer(routes: MountedRoute[], env: Record<string, string | undefined> = process.env): Promise<RouteHttpServer> {
  const guardSettings = requestGuardSettingsFrom(env);
  const server = createServer((incoming, outgoing) => {
    serve(incoming, outgoing).catch((error: unknown) => {
      if (!outgoing.headersSent) outgoing.writeHead(500);
      outgoing.end(String(error));
    });
  });

  async function serve(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    markRequestPeer(incoming);
    const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? '127.0.0.1'}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const refusal = guardRequest({ method: incoming.method ?? 'GET', path: url.pathname, headers }, guardSettings);
    if (refusal) return send(outgoing, Response.json({ error: refusal.error }, { status: refusal.status, headers: refusal.headers ?? {} }));
    const route = routes.find((candidate) => candidate.method === incoming.method && (typeof candidate.path === 'string' ? candidate.path === url.pathname : candidate.path.test(url.pathname)));
    if (!route) return send(outgoing, Response.json({ error: 'Not found' }, { status: 404 }));
    const hangUp = new AbortController();
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) hangUp.abort();
    });
    const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
    const request = new Request(url, {
      method: incoming.method,
      headers,
      signal: hangUp.signal,
      ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream, duplex: 'half' } : {}),
    } as RequestInit);
    await send(outgoing, await route.handler(request));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function send(outgoing: ServerResponse, response: Response): Promise<void> {
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    outgoing.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)
      .on('error', reject)
      .pipe(outgoing)
      .on('finish', resolve)
      .on('error', reject);
  });
}
