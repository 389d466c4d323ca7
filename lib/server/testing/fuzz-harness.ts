import type { ImageFixtures } from './fuzz-images';
import { toFetchRequest, type FuzzRequest } from './fuzz-request';

/** A route handler as Next.js calls it: the request, and the dynamic route's params. */
export type RouteHandler = (request: Request, context: { params: Promise<{ id: string }> }) => Response | Promise<Response>;

export interface FuzzOutcome {
  status: number;
  /** The body's error message, for a 4xx. */
  error?: string;
  /** The JSON body of a 2xx, when it had one. */
  json?: unknown;
  isEventStream: boolean;
  /**
   * Set when a 2xx body broke off while streaming (the status was sent already): a failure, except
   * where a concurrent request explains it (a ZIP whose batch was deleted meanwhile is cut short
   * on purpose, so the download fails visibly).
   */
  bodyError?: string;
}

export interface SendOptions {
  /** How long the handler, and then reading its body, may take before it counts as a hang. @default 5000 */
  timeoutMs?: number;
  /** How long to wait for an event stream's first chunk before hanging up (an idle live stream is no hang). @default 300 */
  firstChunkWaitMs?: number;
}

/**
 * Sends one generated request to a route handler in-process and checks what every answer must be:
 * settled within the time bound (handler and body alike), never a 5xx, and any 4xx a JSON body
 * with a string `error` a person can read (at most 600 characters). An event stream is read up
 * to its first chunk and then hung up on, like a closed tab, so a live stream does not run
 * forever. Throws on a violation, saying which request did it (fast-check adds the seed and the
 * counterexample).
 */
export async function sendFuzzRequest(
  handler: RouteHandler,
  path: string,
  fuzz: FuzzRequest,
  fixtures: ImageFixtures,
  { timeoutMs = 5_000, firstChunkWaitMs = 300 }: SendOptions = {},
): Promise<FuzzOutcome> {
  const client = new AbortController();
  const request = await toFetchRequest(path, fuzz, fixtures, client.signal);
  const label = `${fuzz.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`;
  try {
    const response = await within(Promise.resolve(handler(request, { params: Promise.resolve({ id: fuzz.id ?? '' }) })), timeoutMs, `${label}: the handler`);
    const isEventStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    if (response.status >= 500) {
      const text = await within(response.text(), timeoutMs, `${label}: the ${response.status} body`).catch(() => '');
      throw new Error(`${label} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    if (isEventStream) {
      await readFirstChunkThenHangUp(response, client, timeoutMs, firstChunkWaitMs, label);
      return { status: response.status, isEventStream };
    }
    const bodyRead = within(response.arrayBuffer(), timeoutMs, `${label}: reading the ${response.status} body`);
    let body: ArrayBuffer;
    try {
      body = await bodyRead;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (response.status >= 400 || /did not settle/.test(message)) throw error;
      return { status: response.status, isEventStream, bodyError: message };
    }
    const text = new TextDecoder().decode(body);
    if (response.status >= 400) {
      if (fuzz.method === 'HEAD') return { status: response.status, isEventStream };
      const error = errorOf(text);
      if (error === undefined) throw new Error(`${label} answered ${response.status} without a JSON { error: string }: ${text.slice(0, 300)}`);
      // A message a person reads, not an echo of whatever the request carried.
      if (error.length > maxErrorLength) throw new Error(`${label} answered ${response.status} with a ${error.length}-character error: ${error.slice(0, 300)}…`);
      return { status: response.status, error, isEventStream };
    }
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, isEventStream, ...(isJson && text !== '' ? { json: JSON.parse(text) as unknown } : {}) };
  } finally {
    // Whatever happened, the client is gone now: nothing it started may go on streaming.
    client.abort();
  }
}

async function readFirstChunkThenHangUp(response: Response, client: AbortController, timeoutMs: number, firstChunkWaitMs: number, label: string): Promise<void> {
  const reader = response.body!.getReader();
  const first = reader.read();
  first.catch(() => undefined);
  await Promise.race([first, new Promise((resolve) => setTimeout(resolve, firstChunkWaitMs))]);
  client.abort();
  await within(reader.cancel(), timeoutMs, `${label}: closing the event stream`);
}

const maxErrorLength = 600;

function errorOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body?.error === 'string' && body.error.trim() !== '' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/** The promise, or a rejection naming what hung once `timeoutMs` has passed. */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${timeoutMs} ms (a hang)`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
