import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';

/**
 * A page on another origin (another port of this machine) tries what CSRF does: an auto-submitted
 * multipart form that creates a batch, and `no-cors` fetches that create and cancel. None may work.
 */
let attacker: Server;
let attackerOrigin = '';

test.beforeAll(async () => {
  attacker = createServer((request, response) => {
    const target = new URL(request.url ?? '/', 'http://x').searchParams.get('target') ?? '';
    const batchId = new URL(request.url ?? '/', 'http://x').searchParams.get('batch') ?? '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>evil</title>
      <iframe name="sink"></iframe>
      <form id="create" action="${target}/api/batches" method="post" enctype="multipart/form-data" target="sink">
        <input name="prompt" value="csrf form batch"><input name="numberOfImages" value="5">
      </form>
      <script>
        document.getElementById('create').submit();
        fetch('${target}/api/batches', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"prompt":"csrf fetch batch"}' });
        fetch('${target}/api/batches/${batchId}/cancel', { method: 'POST', mode: 'no-cors' })
          .finally(() => { document.title = 'done'; });
      </script>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => attacker.close(resolve));
});

test('a page on another origin cannot create or cancel a batch', async ({ page, request, baseURL }) => {
  const created = await request.post('/api/batches', { data: { prompt: 'a slow victim [fail]', numberOfImages: 20 } });
  expect(created.status()).toBe(202);
  const victim = (await created.json()) as { id: string };

  const refusals: number[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(`${baseURL}/api/`)) refusals.push(response.status());
  });
  await page.goto(`${attackerOrigin}/?target=${encodeURIComponent(baseURL!)}&batch=${victim.id}`);
  await expect(page).toHaveTitle('done');
  await page.waitForTimeout(500);

  const { batches } = (await (await request.get('/api/batches?limit=100')).json()) as { batches: { prompt: string; id: string }[] };
  expect(batches.map((batch) => batch.prompt)).not.toContain('csrf form batch');
  expect(batches.map((batch) => batch.prompt)).not.toContain('csrf fetch batch');
  const after = (await (await request.get(`/api/batches/${victim.id}`)).json()) as { status: string; canceled: number };
  expect(after.canceled).toBe(0);
  expect(refusals.every((status) => status === 403)).toBe(true);
  await request.post(`/api/batches/${victim.id}/cancel`);
});

test('a Host the server does not answer to is refused (DNS rebinding), with a message', async ({ request }) => {
  const response = await request.get('/api/batches', { headers: { host: 'attacker.example' } });
  expect(response.status()).toBe(421);
  expect((await response.json()).error).toMatch(/ALLOWED_HOSTS/);
});

test('hostile addresses and methods get a 4xx, never a 5xx', async ({ request, baseURL }) => {
  for (const path of ['/api/batches/%zz', '/api/images/%ff', '/api/batches/%E0%A4%A']) {
    const response = await fetch(`${baseURL}${path}`);
    expect(response.status, path).toBe(400);
  }
  for (const method of ['TRACE', 'PATCH', 'PUT']) {
    const response = await request.fetch('/api/batches', { method });
    expect(response.status(), method).toBe(405);
  }
});

test('a body over 10 MB reaches the route whole: each limit is the route\'s own, said in words', async ({ request, baseURL }) => {
  // Next.js keeps a copy of every body for proxy.ts and used to cut it at 10 MB without a word: a
  // 12 MB request of two photos failed as "The multipart form could not be read".
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWP4z8DwH4QZYAwAR8oH+Xm0fdIAAAAASUVORK5CYII=',
    'base64',
  );
  const whole = await request.post('/api/batches', {
    multipart: { prompt: 'twelve megabytes', numberOfImages: '1', notes: 'x'.repeat(12 * 1024 * 1024), image: { name: 'a.png', mimeType: 'image/png', buffer: png } },
  });
  expect(whole.status()).toBe(202);
  await request.post(`/api/batches/${((await whole.json()) as { id: string }).id}/cancel`);

  const tooLargeImage = await request.post('/api/generate-with-image', {
    multipart: { prompt: 'eleven megabytes', image: { name: 'big.png', mimeType: 'image/png', buffer: Buffer.concat([png, Buffer.alloc(11 * 1024 * 1024)]) } },
  });
  expect(tooLargeImage.status()).toBe(400);
  expect(await tooLargeImage.json()).toMatchObject({ field: 'image', error: 'The uploaded image is 11.0 MB; the limit is 10 MB.' });

  // Chunked, so no Content-Length gives it away: 60 MB of JSON whitespace, cut off at the route's limit while reading.
  let sentMegabytes = 0;
  const chunked = await fetch(`${baseURL}/api/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sentMegabytes === 60) return controller.close();
        sentMegabytes += 1;
        controller.enqueue(new Uint8Array(1024 * 1024).fill(0x20));
      },
    }),
    duplex: 'half',
  } as RequestInit);
  expect(chunked.status).toBe(413);
  expect(await chunked.json()).toMatchObject({ error: 'The request is too large: at most 56 MB.' });
});

test('the page is served with security headers', async ({ request }) => {
  const response = await request.get('/');
  const headers = response.headers();
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['content-security-policy']).not.toContain('unsafe-eval');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
});
