/**
 * A real server process for restart tests: the app wired from the environment (DATA_DIR, demo
 * provider, pacing), its queue worker started as at server start-up, and the batch API served over
 * HTTP on 127.0.0.1 (the same endpoint functions the Next.js routes call). Prints one JSON line
 * `{"event":"listening","port":N}` on stdout when ready. Kill it however you like.
 * Run: node --import ./lib/server/testing/typescript-hooks.mjs lib/server/testing/batch-server-process.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import {
  respondToBatchEvents,
  respondToCancelBatch,
  respondToCreateBatch,
  respondToGetBatch,
  respondToImage,
  respondToListBatches,
  respondToRetryBatch,
  startBatchWorker,
} from '@/lib/server';
import { markRequestPeer } from '@/lib/server/unsupported-requests';

type Handler = (request: Request, id: string) => Promise<Response>;

const routes: [method: string, pattern: RegExp, handler: Handler][] = [
  ['POST', /^\/api\/batches$/, (request) => respondToCreateBatch(request)],
  ['GET', /^\/api\/batches$/, (request) => respondToListBatches(request)],
  ['GET', /^\/api\/batches\/([^/]+)$/, respondToGetBatch],
  ['POST', /^\/api\/batches\/([^/]+)\/cancel$/, respondToCancelBatch],
  ['POST', /^\/api\/batches\/([^/]+)\/retry$/, respondToRetryBatch],
  ['GET', /^\/api\/batches\/([^/]+)\/events$/, respondToBatchEvents],
  ['GET', /^\/api\/images\/([^/]+)$/, respondToImage],
];

async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  // As next start's server does (instrumentation.ts): where the connection comes from decides
  // whether a server without accounts serves it.
  markRequestPeer(incoming);
  const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
  const route = routes.find(([method, pattern]) => method === incoming.method && pattern.test(url.pathname));
  if (!route) {
    outgoing.writeHead(404).end();
    return;
  }
  const abortController = new AbortController();
  outgoing.on('close', () => abortController.abort());
  const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
  const request = new Request(url, {
    method: incoming.method,
    headers: incoming.headers as Record<string, string>,
    signal: abortController.signal,
    ...(hasBody ? { body: Readable.toWeb(incoming) as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit);
  const id = decodeURIComponent(route[1].exec(url.pathname)?.[1] ?? '');
  const response = await route[2](request, id);
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).pipe(outgoing);
  else outgoing.end();
}

await startBatchWorker();
const server = createServer((incoming, outgoing) => {
  handle(incoming, outgoing).catch((error: unknown) => {
    outgoing.writeHead(500).end(String(error));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ event: 'listening', port })}\n`);
});
