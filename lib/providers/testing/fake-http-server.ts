import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * The engine shared by the provider fakes: a real `node:http` server on 127.0.0.1 that records every
 * request and answers from a script. Provider-specific fakes (`fake-gemini-server.ts`,
 * `fake-openai-server.ts`) add routes and the providers' real response shapes on top.
 */

/** A file part of a multipart request. */
export interface RecordedFile {
  /** The form field name, e.g. `image`. */
  fieldName: string;
  filename: string;
  /** The part's own Content-Type, e.g. `image/png`. */
  contentType: string;
  bytes: Uint8Array;
}

/** A parsed `multipart/form-data` body. */
export interface RecordedForm {
  /** Text fields; a repeated field keeps its last value. */
  fields: Record<string, string>;
  files: RecordedFile[];
}

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query string, e.g. `/v1beta/models/some-model:generateContent`. */
  path: string;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  rawBody: Uint8Array;
  /** The parsed body when it was JSON. */
  json?: unknown;
  /** The parsed body when it was `multipart/form-data`. */
  form?: RecordedForm;
}

/** One scripted answer. */
export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  /**
   * A string or bytes are sent as they are; any other value is sent as JSON (with
   * `content-type: application/json; charset=UTF-8` unless `headers` sets one).
   * @default no body
   */
  body?: unknown;
  /** Wait this long before sending anything (latency, timeouts, aborts). @default 0 */
  delayMs?: number;
  /** Send the headers and the first half of the body, wait this long, then the rest. @default 0 */
  bodyDelayMs?: number;
  /** Destroy the connection instead of answering, as a failing network would. @default false */
  isConnectionDropped?: boolean;
}

/** A fixed answer, or a function of the request (for simulators that compute their answers). */
export type ResponseScript = ScriptedResponse | ((request: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>);

export interface FakeHttpServerOptions {
  /** Named in the answer to a request nobody scripted. */
  name: string;
  /** Appended to the origin to make `baseUrl`, e.g. `/v1`. @default '' */
  basePath?: string;
  /**
   * Answers a request without consuming the script (unknown routes, hosted files);
   * return `undefined` to let the script answer.
   */
  route?: (request: RecordedRequest) => ScriptedResponse | undefined;
  /** The answer when the script is empty and no `respondAlways` is set. @default a 501 naming the request */
  unscripted?: (request: RecordedRequest) => ScriptedResponse;
  /** Takes HTTP upgrades (websockets); without it an upgrade request's socket is closed. */
  onUpgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** A running fake. Close it in `afterEach`. */
export interface FakeHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `origin` + `basePath`: what the adapter's `baseUrl` option receives. */
  readonly baseUrl: string;
  /** Every request received, in order, including those answered by routes. */
  readonly requests: RecordedRequest[];
  /** Queues answers; each scripted request consumes the next one. */
  respondWith(...responses: ResponseScript[]): void;
  /** The answer once the queue is empty (e.g. a steady simulator). */
  respondAlways(response: ResponseScript): void;
  /** Resolves once at least `count` requests have been received and read in full. */
  waitForRequests(count: number): Promise<RecordedRequest[]>;
  /** Stops the server, drops open connections and cancels pending delayed answers. */
  close(): Promise<void>;
}

/** Starts a scripted fake on 127.0.0.1 with a free port. */
export async function startFakeHttpServer(options: FakeHttpServerOptions): Promise<FakeHttpServer> {
  const queue: ResponseScript[] = [];
  let fallback: ResponseScript | undefined;
  const requests: RecordedRequest[] = [];
  const waiters: { count: number; resolve: (requests: RecordedRequest[]) => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const unscripted = options.unscripted ?? ((request: RecordedRequest) => defaultUnscripted(options.name, request));
  let origin = '';

  const wait = (ms: number, response: ServerResponse) =>
    new Promise<boolean>((resolve) => {
      if (ms <= 0) return resolve(!response.destroyed);
      const timer = setTimeout(() => {
        timers.delete(timer);
        response.off('close', onClose);
        resolve(!response.destroyed);
      }, ms);
      const onClose = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      timers.add(timer);
      response.once('close', onClose);
    });

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const request = await readRequest(incoming, origin);
    requests.push(request);
    for (const waiter of waiters.filter((candidate) => requests.length >= candidate.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve([...requests]);
    }
    let scripted: ScriptedResponse;
    try {
      const script = options.route?.(request) ?? queue.shift() ?? fallback ?? unscripted;
      scripted = typeof script === 'function' ? await script(request) : script;
    } catch (error) {
      scripted = { status: 500, headers: { 'content-type': 'text/plain' }, body: `${options.name}: script threw: ${String(error)}` };
    }
    await send(scripted, response, wait);
  };

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch(() => response.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.onUpgrade) options.onUpgrade(incoming, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    baseUrl: origin + (options.basePath ?? ''),
    requests,
    respondWith: (...responses) => {
      queue.push(...responses);
    },
    respondAlways: (response) => {
      fallback = response;
    },
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve([...requests])
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function readRequest(incoming: IncomingMessage, origin: string): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const rawBody = new Uint8Array(Buffer.concat(chunks));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const request: RecordedRequest = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', headers, rawBody };
  const contentType = headers['content-type'] ?? '';
  if (contentType.includes('application/json')) {
    try {
      request.json = JSON.parse(Buffer.from(rawBody).toString('utf8'));
    } catch {
      // Left undefined: a test asserting on `json` then fails, which is the point.
    }
  } else if (contentType.startsWith('multipart/form-data')) {
    request.form = await parseMultipart(origin + request.path, request.method, contentType, rawBody);
  }
  return request;
}

/** Parses multipart with the platform's own parser, the one `fetch` clients are built against. */
async function parseMultipart(url: string, method: string, contentType: string, body: Uint8Array<ArrayBuffer>): Promise<RecordedForm> {
  const formData = await new Request(url, { method, headers: { 'content-type': contentType }, body }).formData();
  const form: RecordedForm = { fields: {}, files: [] };
  for (const [fieldName, value] of formData.entries()) {
    if (typeof value === 'string') {
      form.fields[fieldName] = value;
    } else {
      form.files.push({
        fieldName,
        filename: value.name,
        contentType: value.type,
        bytes: new Uint8Array(await value.arrayBuffer()),
      });
    }
  }
  return form;
}

async function send(
  scripted: ScriptedResponse,
  response: ServerResponse,
  wait: (ms: number, response: ServerResponse) => Promise<boolean>,
): Promise<void> {
  if (!(await wait(scripted.delayMs ?? 0, response))) return;
  if (scripted.isConnectionDropped) {
    response.socket?.destroy();
    return;
  }
  const headers: Record<string, string> = { ...scripted.headers };
  let body: Uint8Array | undefined;
  if (typeof scripted.body === 'string') {
    body = Buffer.from(scripted.body, 'utf8');
  } else if (scripted.body instanceof Uint8Array) {
    body = scripted.body;
  } else if (scripted.body !== undefined) {
    body = Buffer.from(JSON.stringify(scripted.body), 'utf8');
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json; charset=UTF-8';
    }
  }
  response.writeHead(scripted.status, headers);
  if (!body) {
    response.end();
    return;
  }
  const bodyDelayMs = scripted.bodyDelayMs ?? 0;
  if (bodyDelayMs <= 0) {
    response.end(body);
    return;
  }
  const half = Math.floor(body.byteLength / 2);
  response.write(body.subarray(0, half));
  if (await wait(bodyDelayMs, response)) response.end(body.subarray(half));
}

function defaultUnscripted(name: string, request: RecordedRequest): ScriptedResponse {
  return {
    status: 501,
    headers: { 'content-type': 'text/plain' },
    body: `${name}: no response scripted for ${request.method} ${request.path}`,
  };
}

/** A `http://127.0.0.1:<port>` URL where nothing listens (the port was free a moment ago): connection refused. */
export async function closedLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
