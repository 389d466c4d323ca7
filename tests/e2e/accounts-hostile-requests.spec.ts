import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './accounts-test';

/**
 * hostile-requests.spec.ts's cross-origin page, against the server with accounts and a user
 * signed in in the same browser: another port of this machine is the same *site*, so the browser
 * sends the session cookie (SameSite=Lax) with the forged requests. The request guard still
 * refuses them all (403): no batch is created or canceled, no API token is made.
 */
let attacker: Server;
let attackerOrigin = '';

test.beforeAll(async () => {
  attacker = createServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://x').searchParams;
    const target = query.get('target') ?? '';
    const batchId = query.get('batch') ?? '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>evil</title>
      <iframe name="sink"></iframe>
      <form id="create" action="${target}/api/batches" method="post" enctype="multipart/form-data" target="sink">
        <input name="prompt" value="csrf form batch"><input name="numberOfImages" value="5">
      </form>
      <script>
        document.getElementById('create').submit();
        Promise.allSettled([
          fetch('${target}/api/batches', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"prompt":"csrf fetch batch"}' }),
          fetch('${target}/api/batches/${batchId}/cancel', { method: 'POST', mode: 'no-cors', credentials: 'include' }),
          fetch('${target}/api/tokens', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"name":"csrf token"}' }),
        ]).finally(() => { document.title = 'done'; });
      </script>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => attacker.close(resolve));
});

test('a page on another origin cannot create or cancel a batch (nor make a token) for the signed-in user', async ({ baseURL, createUser, openAs }) => {
  const frank = await createUser('frank');
  const { page: frankPage } = await openAs(frank);
  const frankApi = frankPage.request;
  const created = await frankApi.post('/api/batches', { data: { prompt: 'a slow victim [fail]', numberOfImages: 20 } });
  expect(created.status()).toBe(202);
  const victim = (await created.json()) as { id: string };

  // The attacker's page, in the browser where frank is signed in.
  const attackerPage = await frankPage.context().newPage();
  const refusals: number[] = [];
  attackerPage.on('response', (response) => {
    if (response.url().startsWith(`${baseURL}/api/`)) refusals.push(response.status());
  });
  await attackerPage.goto(`${attackerOrigin}/?target=${encodeURIComponent(baseURL!)}&batch=${victim.id}`);
  await expect(attackerPage).toHaveTitle('done');
  // The form's post and the three fetches each got their answer.
  await expect.poll(() => refusals.length).toBe(4);
  expect(refusals).toEqual([403, 403, 403, 403]);

  const { batches } = (await (await frankApi.get('/api/batches?limit=100')).json()) as { batches: { prompt: string; id: string }[] };
  expect(batches.map((batch) => batch.prompt)).not.toContain('csrf form batch');
  expect(batches.map((batch) => batch.prompt)).not.toContain('csrf fetch batch');
  const after = (await (await frankApi.get(`/api/batches/${victim.id}`)).json()) as { canceled: number };
  expect(after.canceled).toBe(0);
  const { tokens } = (await (await frankApi.get('/api/tokens')).json()) as { tokens: unknown[] };
  expect(tokens).toEqual([]);

  // Frank's own client may: it is the other origin that is refused, not frank.
  expect((await frankApi.post(`/api/batches/${victim.id}/cancel`)).status()).toBe(200);
});
