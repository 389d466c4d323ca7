import { METHODS } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { encodeLeniently, fuzzParameters, headerValue, lastEventIdArbitrary, nastyString } from '../../lib/server/testing/fuzz-arbitraries';
import { expect, test } from './base-test';

/**
 * The production server under generated raw HTTP/1.1 requests, written to a socket so nothing on
 * the way tidies them up: every method Node parses (and tokens it does not), request targets
 * (`*`, absolute-form, `//`, broken %-escapes, long ids), Host variants, lying Content-Length,
 * broken chunked bodies, random bodies. Node's parser, the unsupported-request filter, Next.js,
 * proxy.ts and the routes all take part. No answer is a 5xx, none hangs, and the server still
 * serves a batch afterwards. The route handlers' own fuzzing, thousands of requests in-process,
 * is app/api/routes.fuzz.test.ts.
 */

type Framing = 'length' | 'none' | 'chunked' | 'chunked-broken' | 'length-lying-long' | 'length-lying-short' | 'length-garbage';

interface RawRequest {
  method: string;
  target: string;
  host: string | undefined;
  headers: [string, string][];
  body: Uint8Array;
  framing: Framing;
}

const knownIds = ['00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000000.png'];

const segment = fc.oneof(
  fc.constantFrom('batches', 'images', 'events', 'zip', 'cancel', 'retry', 'storage', 'providers', 'generate', 'generate-with-image', '..', '.', '', '%', '%zz', '%2F', '%2e%2e', '%00', '%ff', '%C0%AE', '*', ...knownIds),
  nastyString.map(encodeLeniently),
  fc.integer({ min: 200, max: 5_000 }).map((length) => 'a'.repeat(length)),
);

const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?limit=0', '?limit=%zz', '?before=%', '?lastEventId=-1', '?a=%ff%fe', '?_rsc=%zz', '?limit=1&limit=2', '?#'),
  lastEventIdArbitrary.map((value) => `?lastEventId=${encodeLeniently(value)}`),
);

const routeTemplates = [
  '/api/batches',
  '/api/batches/:id',
  '/api/batches/:id/events',
  '/api/batches/:id/zip',
  '/api/batches/:id/cancel',
  '/api/batches/:id/retry',
  '/api/images/:id',
  '/api/generate',
  '/api/generate-with-image',
  '/api/providers',
  '/api/storage',
];

/** Printable ASCII without spaces (what a request line can carry); rarely raw high bytes, which Node refuses. */
const target: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.constantFrom(...routeTemplates), segment, query).map(([template, id, rest]) => `${template.replace(':id', id)}${rest}`) },
  { weight: 8, arbitrary: fc.tuple(fc.array(segment, { maxLength: 4 }), query).map(([segments, rest]) => `/api/${segments.join('/')}${rest}`) },
  { weight: 2, arbitrary: fc.tuple(fc.array(segment, { maxLength: 3 }), query).map(([segments, rest]) => `/${segments.join('/')}${rest}`) },
  { weight: 2, arbitrary: fc.constantFrom('*', '/', '//', '///api/batches', '/\\evil', '//evil.example/api/batches', 'http://127.0.0.1:3210/api/batches', 'https://evil.example/', 'example.org:443', '/_next/%zz', '/_next/static/x', '/_next/image?url=%2F&w=1&q=1', '/favicon.ico') },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 40 }).map((text) => `/${text}`) },
);

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS') },
  { weight: 3, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 1, arbitrary: fc.constantFrom('get', 'FOO', 'G ET', 'PRI', 'TRACK', '') },
);

const header: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constant('Content-Type'), fc.constantFrom('application/json', 'multipart/form-data; boundary=x', 'multipart/form-data', 'text/plain', 'application/x-www-form-urlencoded')),
  fc.tuple(fc.constant('Accept'), fc.constantFrom('text/event-stream', 'application/json', 'text/x-component', '*/*')),
  fc.tuple(fc.constant('Last-Event-ID'), lastEventIdArbitrary.map((value) => value.replace(/[^\x20-\x7e]/g, '?'))),
  fc.tuple(fc.constantFrom('Origin', 'Sec-Fetch-Site', 'If-None-Match', 'Range', 'Expect', 'RSC', 'Next-Router-State-Tree', 'Next-Action', 'X-Forwarded-Host', 'X-Middleware-Subrequest', 'Accept-Encoding', 'Cookie'), headerValue(40)),
);

const rawRequest: fc.Arbitrary<RawRequest> = fc.record({
  method,
  target,
  host: fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', 'evil.example', 'localhost', '[::1]:3210', '127.0.0.1:99999', '127.0.0.1:3210, evil') },
  ),
  headers: fc.array(header, { maxLength: 4 }).map((headers) => headers.map(([name, value]): [string, string] => [name, value.replace(/[\r\n\0]/g, ' ')])),
  body: fc.oneof(
    fc.constant(new Uint8Array()),
    fc.json({ maxDepth: 2 }).map((text) => new TextEncoder().encode(text)),
    fc.constantFrom('{"prompt":"a lighthouse","numberOfImages":1}', '{"prompt":"x","numberOfImages":100}', '--x\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhi\r\n--x--').map((text) => new TextEncoder().encode(text)),
    fc.uint8Array({ maxLength: 2_000 }),
  ),
  framing: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom<Framing>('length', 'none', 'chunked') },
    { weight: 3, arbitrary: fc.constantFrom<Framing>('chunked-broken', 'length-lying-short', 'length-garbage') },
    // Rarer: Next.js logs each body that ends early ("Error: aborted").
    { weight: 1, arbitrary: fc.constant<Framing>('length-lying-long') },
  ),
});

function toBytes(request: RawRequest, port: number): Buffer {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${request.host ?? `127.0.0.1:${port}`}`, 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const body = Buffer.from(request.body);
  let payload = body;
  switch (request.framing) {
    case 'length':
      lines.push(`Content-Length: ${body.length}`);
      break;
    case 'length-lying-long':
      lines.push(`Content-Length: ${body.length + 1_000}`);
      break;
    case 'length-lying-short':
      lines.push(`Content-Length: ${Math.floor(body.length / 2)}`);
      break;
    case 'length-garbage':
      lines.push('Content-Length: 12abc', 'Content-Length: 3');
      break;
    case 'chunked':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 'chunked-broken':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from('zz\r\n'), body]);
      break;
    default:
      break;
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

/**
 * Writes the request and reads until the server closes (every request says `Connection: close`).
 * Resolves the status codes of the answers (a `100 Continue` may come first), or 'hang'. Only a
 * body that promised more than it sent is followed by a half-close, so the server sees it end:
 * Node.js takes a half-close for a client gone away and Next.js then drops a page it was rendering.
 */
function send(bytes: Buffer, port: number, { halfClose = false, timeoutMs = 10_000 } = {}): Promise<{ statuses: number[]; text: string } | 'hang'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('hang');
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ statuses: [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((match) => Number(match[1])), text });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', finish);
    socket.on('error', () => undefined);
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

test('generated raw HTTP requests: never a 5xx, never a hang, and the server serves a batch afterwards', async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  const port = Number(new URL(baseURL!).port);
  let answered = 0;
  const statistics = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(rawRequest, async (raw) => {
      const outcome = await send(toBytes(raw, port), port, { halfClose: raw.framing === 'length-lying-long' });
      expect(outcome, 'the server did not answer within 10 s').not.toBe('hang');
      if (outcome === 'hang') return;
      for (const status of outcome.statuses) expect(status, outcome.text.slice(0, 300)).toBeLessThan(500);
      // Every request gets an answer, CONNECT included (a 405 from lib/server/unsupported-requests.ts).
      expect(outcome.statuses.length, `no answer to ${toBytes(raw, port).toString('latin1').slice(0, 200)}`).toBeGreaterThan(0);
      if (outcome.statuses.length > 0) answered += 1;
      const key = `${raw.method} ${raw.target.split('/').slice(0, 4).join('/').slice(0, 40)} → ${outcome.statuses.join(',') || 'closed'}`;
      statistics.set(key, (statistics.get(key) ?? 0) + 1);
      // Whatever it started, stop it: the lane is shared with the other browser tests.
      const created = /"id":"([0-9a-f-]{36})"/.exec(outcome.text);
      if (outcome.statuses.includes(202) && created) await request.post(`/api/batches/${created[1]}/cancel`);
    }),
    fuzzParameters(300),
  );
  // `FUZZ_STATS=1` shows what the requests reached.
  if (process.env.FUZZ_STATS === '1') console.log([...statistics].sort().map(([key, count]) => `${String(count).padStart(4)} ${key}`).join('\n'));
  expect(answered).toBeGreaterThan(280);

  const created = await request.post('/api/batches', { data: { prompt: 'still serving after the fuzzer', numberOfImages: 1 } });
  expect(created.status()).toBe(202);
  const batch = (await created.json()) as { id: string };
  await expect.poll(async () => ((await (await request.get(`/api/batches/${batch.id}`)).json()) as { status: string }).status).toBe('completed');
  expect((await request.get('/api/batches')).status()).toBe(200);
});
