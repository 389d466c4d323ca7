import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { useBatchTestApp } from '@/lib/server/testing/batch-test-helpers';
import { startRouteHttpServer } from '@/lib/server/testing/route-http-server';
import { POST as postEdit } from '../edits/route';
import { POST } from './route';

afterEach(() => vi.unstubAllEnvs());

const errorOf = async (response: Response) => ({ status: response.status, ...((await response.json()) as { error: { param: string | null; code: string | null } }).error });

describe('POST /v1/images/generations input', () => {
  it('takes null as "not set", as the SDK types allow, and ignores user and safety_identifier', async () => {
    const { generateSpy } = await useBatchTestApp();
    const response = await POST(
      jsonRequest('/v1/images/generations', { prompt: 'x', model: null, n: null, size: null, quality: null, response_format: null, user: 'u-1', safety_identifier: 's', moderation: 'auto', stream: false }),
    );
    expect(response.status).toBe(200);
    expect(generateSpy).toHaveBeenCalledTimes(1);
  });

  it('refuses an unknown parameter by name, as OpenAI does, and anything but JSON', async () => {
    await useBatchTestApp();
    expect(await errorOf(await POST(jsonRequest('/v1/images/generations', { prompt: 'x', seed: 4 })))).toMatchObject({ status: 400, param: 'seed', code: 'unknown_parameter' });
    expect(await errorOf(await POST(jsonRequest('/v1/images/generations', '{"prompt":')))).toMatchObject({ status: 400 });
    const form = new FormData();
    form.set('prompt', 'x');
    expect((await POST(new Request('http://127.0.0.1/v1/images/generations', { method: 'POST', body: form }))).status).toBe(400);
    expect(await errorOf(await POST(jsonRequest('/v1/images/generations', { prompt: 'x', moderation: 'low' })))).toMatchObject({ param: 'moderation' });
  });

  it('answers 403 to a client on another machine when the server has no accounts, whatever its key', async () => {
    await useBatchTestApp();
    const response = await POST(jsonRequest('/v1/images/generations', { prompt: 'x' }, { authorization: 'Bearer sk-x', 'x-imagegen-peer': 'remote' }));
    expect(await errorOf(response)).toMatchObject({ status: 403 });
  });
});

describe('POST /v1/images/edits input', () => {
  const editRequest = (form: FormData) => new Request('http://127.0.0.1/v1/images/edits', { method: 'POST', body: form });

  it('needs an image file and a multipart body', async () => {
    await useBatchTestApp();
    const form = new FormData();
    form.set('prompt', 'x');
    expect(await errorOf(await postEdit(editRequest(form)))).toMatchObject({ status: 400, param: 'image' });
    expect(await errorOf(await postEdit(jsonRequest('/v1/images/edits', { prompt: 'x' })))).toMatchObject({ status: 400 });
  });

  it('refuses a file where a text field belongs, naming it', async () => {
    await useBatchTestApp();
    const form = new FormData();
    form.set('prompt', new File([new Uint8Array([1])], 'prompt.txt'));
    expect(await errorOf(await postEdit(editRequest(form)))).toMatchObject({ status: 400, param: 'prompt' });
  });
});

describe('the request guard in front of /v1', () => {
  it('serves API clients without Origin, and refuses a cross-site browser page (CSRF)', async () => {
    await useBatchTestApp();
    const server = await startRouteHttpServer([{ method: 'POST', path: '/v1/images/generations', handler: POST }]);
    onTestFinished(() => server.close());
    const send = (headers: Record<string, string>) =>
      fetch(`${server.origin}/v1/images/generations`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x', ...headers }, body: JSON.stringify({ prompt: 'x' }) });
    expect((await send({})).status).toBe(200);
    expect((await send({ origin: 'https://evil.example' })).status).toBe(403);
  });
});
