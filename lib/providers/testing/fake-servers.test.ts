import { afterEach, describe, expect, it } from 'vitest';
import { startFakeHttpServer, type FakeHttpServer } from './fake-http-server';
import { geminiModelOf, geminiResponses, startFakeGeminiServer } from './fake-gemini-server';
import { openaiResponses, startFakeOpenAIServer } from './fake-openai-server';
import { tinyPng } from './test-images';

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function track<T extends FakeHttpServer>(start: Promise<T>): Promise<T> {
  const server = await start;
  servers.push(server);
  return server;
}

describe('fake http server', () => {
  it('answers from the queue in order, then from respondAlways, and records every request', async () => {
    const server = await track(startFakeHttpServer({ name: 'fake' }));
    server.respondWith({ status: 201, body: 'first' }, (request) => ({ status: 202, body: { echo: request.json } }));
    server.respondAlways({ status: 299, body: 'steady' });

    const first = await fetch(`${server.baseUrl}/a`, { method: 'POST', body: 'x' });
    const second = await fetch(`${server.baseUrl}/b?q=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":2}' });
    const third = await fetch(`${server.baseUrl}/c`);
    const fourth = await fetch(`${server.baseUrl}/d`);

    expect([first.status, await first.text()]).toEqual([201, 'first']);
    expect([second.status, await second.json()]).toEqual([202, { echo: { n: 2 } }]);
    expect(second.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect([third.status, fourth.status]).toEqual([299, 299]);
    expect(server.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /a', 'POST /b?q=1', 'GET /c', 'GET /d']);
    expect(Buffer.from(server.requests[0].rawBody).toString()).toBe('x');
  });

  it('answers an unscripted request with a 501 that names it', async () => {
    const server = await track(startFakeHttpServer({ name: 'fake' }));
    const response = await fetch(`${server.baseUrl}/nothing`, { method: 'DELETE' });
    expect(response.status).toBe(501);
    expect(await response.text()).toBe('fake: no response scripted for DELETE /nothing');
  });

  it('parses multipart bodies into fields and file parts', async () => {
    const server = await track(startFakeHttpServer({ name: 'fake' }));
    server.respondWith({ status: 204 });
    const form = new FormData();
    form.append('prompt', 'hello');
    form.append('image', new File([tinyPng()], 'input.png', { type: 'image/png' }));
    await fetch(server.baseUrl, { method: 'POST', body: form });
    expect(server.requests[0].form).toEqual({
      fields: { prompt: 'hello' },
      files: [{ fieldName: 'image', filename: 'input.png', contentType: 'image/png', bytes: tinyPng() }],
    });
  });

  it('resolves waitForRequests once enough requests have arrived, and close() ends delayed answers', async () => {
    const server = await track(startFakeHttpServer({ name: 'fake' }));
    server.respondAlways({ status: 200, body: 'late', delayMs: 60_000 });
    const pending = fetch(server.baseUrl).catch((error: unknown) => error);
    const [request] = await server.waitForRequests(1);
    expect(request.method).toBe('GET');
    await server.close();
    expect(await pending).toBeInstanceOf(TypeError);
  });
});

describe('fake provider servers', () => {
  it('gemini: only generateContent reaches the script; a missing key gets Google’s 403', async () => {
    const server = await track(startFakeGeminiServer());
    server.respondAlways(geminiResponses.image());
    const wrongPath = await fetch(`${server.baseUrl}/v1/models/m:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': 'k' } });
    const noKey = await fetch(`${server.baseUrl}/v1beta/models/m:generateContent`, { method: 'POST' });
    const ok = await fetch(`${server.baseUrl}/v1beta/models/m:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': 'k' } });
    expect([wrongPath.status, noKey.status, ok.status]).toEqual([404, 403, 200]);
    expect(((await noKey.json()) as { error: { status: string } }).error.status).toBe('PERMISSION_DENIED');
    expect(geminiModelOf(server.requests[2])).toBe('m');
  });

  it('gemini: the 429 carries QuotaFailure and RetryInfo details', () => {
    const body = geminiResponses.rateLimited({ retryDelay: '12s' }).body as { error: { details: { '@type': string }[]; message: string } };
    expect(body.error.details.map((detail) => detail['@type'].split('.').at(-1))).toEqual(['QuotaFailure', 'Help', 'RetryInfo']);
    expect(body.error.message.endsWith('Please retry in 12.0s.')).toBe(true);
  });

  it('openai: only images endpoints reach the script; no bearer gets OpenAI’s 401; hosted files are served', async () => {
    const server = await track(startFakeOpenAIServer());
    server.respondAlways(openaiResponses.b64Json());
    const url = server.hostImage(tinyPng());
    const wrongPath = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' } });
    const noKey = await fetch(`${server.baseUrl}/images/generations`, { method: 'POST' });
    const ok = await fetch(`${server.baseUrl}/images/generations`, { method: 'POST', headers: { authorization: 'Bearer k' } });
    const file = await fetch(url);
    expect([wrongPath.status, noKey.status, ok.status, file.status]).toEqual([404, 401, 200, 200]);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(tinyPng());
  });

  it('openai: the 429 sends retry headers and x-ratelimit-* headers', async () => {
    const server = await track(startFakeOpenAIServer());
    server.respondWith(openaiResponses.rateLimited({ retryAfter: '7', retryAfterMs: '6500' }));
    const response = await fetch(`${server.baseUrl}/images/generations`, { method: 'POST', headers: { authorization: 'Bearer k' } });
    expect(response.status).toBe(429);
    expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('retry') || name.startsWith('x-ratelimit')))).toEqual({
      'retry-after': '7',
      'retry-after-ms': '6500',
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '12s',
    });
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
  });
});
