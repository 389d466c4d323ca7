import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { batchViewSchema, type BatchView } from '@/lib/core';
import { getApp, resetApp, respondToCreateBatch, respondToGetBatch } from '@/lib/server';
import { jsonRequest, useTestApp } from '../testing/route-test-helpers';
import { startWebhookReceiver } from './testing/webhook-receiver';
import type { BatchEndedPayload } from './webhook-payload';

// The spec's secret form: `whsec_` + base64 of the key bytes.
const keyBytes = Buffer.from('a test key of thirty-two bytes!!');
const secret = `whsec_${keyBytes.toString('base64')}`;

const receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(statuses?: number[]) {
  const started = await startWebhookReceiver(statuses);
  receivers.push(started);
  return started;
}

/** The app on the demo provider, delivering fast: retries 100 ms apart unless told otherwise. */
function useWebhookApp(env: Record<string, string> = {}) {
  return useTestApp({ WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_DELAYS_MS: '100,100', QUEUE_SAFETY_POLL_MS: '100', ...env });
}

async function createBatch(body: Record<string, unknown>): Promise<Response> {
  return respondToCreateBatch(jsonRequest('/api/batches', { prompt: 'a lighthouse at dusk', numberOfImages: 2, ...body }));
}

async function getBatch(batchId: string): Promise<BatchView> {
  const response = await respondToGetBatch(new Request(`http://127.0.0.1/api/batches/${batchId}`), batchId);
  return batchViewSchema.parse(await response.json());
}

async function waitForBatch(batchId: string, isDone: (batch: BatchView) => boolean, timeoutMs = 10_000): Promise<BatchView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await getBatch(batchId);
    if (isDone(batch)) return batch;
    if (Date.now() > deadline) throw new Error(`Timed out; last: ${JSON.stringify(batch.webhooks ?? batch.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The Standard Webhooks check done by hand with node:crypto, independently of the library that signs. */
function expectValidSignature(headers: Record<string, string | string[] | undefined>, body: string): void {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const expected = createHmac('sha256', keyBytes).update(`${id}.${timestamp}.${body}`).digest('base64');
  expect(String(headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
  expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
}

describe('completion webhooks', () => {
  it('POSTs the batch summary, signed the Standard Webhooks way, and shows it delivered', async () => {
    useWebhookApp();
    const hooks = await receiver([204]);

    const response = await createBatch({ webhookUrl: hooks.url });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as BatchView;
    await hooks.waitFor(1);

    const [{ headers, body }] = hooks.received as [(typeof hooks.received)[0]];
    expect(headers['content-type']).toBe('application/json');
    expect(String(headers['webhook-id'])).toMatch(/^msg_/);
    expectValidSignature(headers, body);
    // The reference library agrees.
    expect(() => new Webhook(secret).verify(body, headers as Record<string, string>)).not.toThrow();
    const payload = JSON.parse(body) as BatchEndedPayload;
    expect(payload).toMatchObject({
      type: 'batch.ended',
      data: { batchId: id, status: 'completed', total: 2, succeeded: 2, failed: 0, canceled: 0, costUsd: 0, url: `http://127.0.0.1/api/batches/${id}` },
    });
    expect(payload.data.images.map((image) => image.index)).toEqual([1, 2]);
    for (const image of payload.data.images) expect(image.url).toMatch(/^http:\/\/127\.0\.0\.1\/api\/images\/.+/);
    expect(payload.data.errors).toEqual([]);

    const batch = await waitForBatch(id, (candidate) => candidate.webhooks?.[0]?.status === 'delivered');
    expect(batch.webhooks).toEqual([
      expect.objectContaining({ id: headers['webhook-id'], target: `http://127.0.0.1:${hooks.port}`, status: 'delivered', attempts: 1, lastStatusCode: 204 }),
    ]);
  });

  it('reports failed images and makes URLs absolute on PUBLIC_URL', async () => {
    // A loopback PUBLIC_URL keeps accounts off; its origin still wins over the request's.
    useWebhookApp({ DEMO_FAIL_INDEXES: '2', PUBLIC_URL: 'http://localhost:4000' });
    const hooks = await receiver();

    const { id } = (await (await createBatch({ webhookUrl: hooks.url })).json()) as BatchView;
    await hooks.waitFor(1);

    const payload = JSON.parse(hooks.received[0]!.body) as BatchEndedPayload;
    expect(payload.data).toMatchObject({ status: 'partial', succeeded: 1, failed: 1, url: `http://localhost:4000/api/batches/${id}` });
    expect(payload.data.errors).toEqual([{ index: 2, kind: 'safety_blocked', message: expect.any(String) }]);
    expect(payload.data.images[0]!.url).toMatch(/^http:\/\/localhost:4000\/api\/images\//);
  });

  it('retries after a 500 with the same id and body, and shows the attempts', async () => {
    useWebhookApp({ WEBHOOK_RETRY_DELAYS_MS: '300,100' });
    const hooks = await receiver([500, 200]);

    const { id } = (await (await createBatch({ webhookUrl: hooks.url })).json()) as BatchView;
    await hooks.waitFor(1);
    const retrying = await waitForBatch(id, (batch) => batch.webhooks?.[0]?.attempts === 1);
    expect(retrying.webhooks?.[0]).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect(Date.parse(retrying.webhooks![0]!.nextAttemptAt!)).toBeGreaterThan(Date.now() - 1_000);

    await hooks.waitFor(2);
    const [first, second] = hooks.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expectValidSignature(second!.headers, second!.body);
    const delivered = await waitForBatch(id, (batch) => batch.webhooks?.[0]?.status === 'delivered');
    expect(delivered.webhooks?.[0]).toMatchObject({ attempts: 2, lastStatusCode: 200 });
  });

  it('gives up after the last retry: failed', async () => {
    useWebhookApp({ WEBHOOK_RETRY_DELAYS_MS: '50' });
    const hooks = await receiver([503]);

    const { id } = (await (await createBatch({ webhookUrl: hooks.url })).json()) as BatchView;
    const failed = await waitForBatch(id, (batch) => batch.webhooks?.[0]?.status === 'failed');
    expect(failed.webhooks?.[0]).toMatchObject({ attempts: 2, lastStatusCode: 503 });
    expect(failed.webhooks?.[0]?.nextAttemptAt).toBeUndefined();
    expect(hooks.received).toHaveLength(2);
  });

  it('sends to WEBHOOK_URL too, and again when a retried batch ends again', async () => {
    const serverDefault = await receiver();
    useWebhookApp({ WEBHOOK_URL: serverDefault.url, DEMO_FAIL_INDEXES: '1', DEMO_FAIL_KIND: 'safety_blocked' });

    const { id } = (await (await createBatch({ numberOfImages: 1 })).json()) as BatchView;
    await serverDefault.waitFor(1);
    await waitForBatch(id, (batch) => batch.webhooks?.[0]?.status === 'delivered');
    const { queue } = await getApp().batches();
    await queue.retry(id);
    await serverDefault.waitFor(2);

    const sequences = serverDefault.received.map((request) => (JSON.parse(request.body) as BatchEndedPayload).data.sequence);
    expect(sequences[1]).toBeGreaterThan(sequences[0]!);
    expect(serverDefault.received[1]!.headers['webhook-id']).not.toBe(serverDefault.received[0]!.headers['webhook-id']);
  });

  it('delivers after a restart what was still pending when the server stopped', async () => {
    useWebhookApp({ WEBHOOK_RETRY_DELAYS_MS: '1000' });
    const hooks = await receiver([500]);
    const { id } = (await (await createBatch({ webhookUrl: hooks.url })).json()) as BatchView;
    await waitForBatch(id, (batch) => batch.webhooks?.[0]?.attempts === 1);
    await getApp().close();
    expect(hooks.received).toHaveLength(1);

    hooks.answerWith([200]);
    resetApp(); // the same environment: the same DATA_DIR
    onTestFinished(() => getApp().close());
    const delivered = await waitForBatch(id, (batch) => batch.webhooks?.[0]?.status === 'delivered');

    expect(delivered.webhooks?.[0]).toMatchObject({ attempts: 2, lastStatusCode: 200 });
    expect(hooks.received).toHaveLength(2);
    expect(hooks.received[1]!.body).toBe(hooks.received[0]!.body);
  });

  it('logs each attempt with the receiver origin only: never its path, query, the secret or the signature', async () => {
    useWebhookApp({ LOG_LEVEL: 'info' });
    const logged = vi.spyOn(console, 'log').mockImplementation(() => {});
    onTestFinished(() => logged.mockRestore());
    const hooks = await receiver([500, 200]);

    const { id } = (await (await createBatch({ webhookUrl: `${hooks.url}?token=receiver-token` })).json()) as BatchView;
    await waitForBatch(id, (batch) => batch.webhooks?.[0]?.status === 'delivered');

    const lines = logged.mock.calls.map(([line]) => String(line));
    const webhookLines = lines.filter((line) => line.includes('"event":"webhook-'));
    expect(webhookLines.map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(['webhook-retry', 'webhook-delivered']);
    expect(webhookLines[0]).toContain(`"target":"http://127.0.0.1:${hooks.port}"`);
    const signature = String(hooks.received[0]!.headers['webhook-signature']);
    for (const line of lines) {
      expect(line).not.toContain('receiver-token');
      expect(line).not.toContain('/hooks/imagegen');
      expect(line).not.toContain(secret.slice(6));
      expect(line).not.toContain(signature.slice(3));
    }
  });

  it('refuses a loopback or private webhookUrl with a 400 unless WEBHOOK_ALLOW_PRIVATE=1', async () => {
    useTestApp();
    for (const webhookUrl of ['http://127.0.0.1:9/hook', 'http://localhost/hook', 'http://10.0.0.7/hook', 'http://[::1]/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://0x7f000001/hook', 'http://169.254.169.254/latest']) {
      const response = await createBatch({ webhookUrl });
      expect(response.status, webhookUrl).toBe(400);
      expect(await response.json()).toMatchObject({ field: 'webhookUrl', error: expect.stringContaining('WEBHOOK_ALLOW_PRIVATE') });
    }
    for (const webhookUrl of ['ftp://example.org/hook', 'not a url', 'https://user:password@example.org/hook']) {
      const response = await createBatch({ webhookUrl });
      expect(response.status, webhookUrl).toBe(400);
      expect(await response.json()).toMatchObject({ field: 'webhookUrl' });
    }
  });

  it('takes webhookUrl as a multipart field too', async () => {
    useWebhookApp();
    const hooks = await receiver();
    const form = new FormData();
    form.set('prompt', 'a lighthouse');
    form.set('numberOfImages', '1');
    form.set('webhookUrl', hooks.url);

    const response = await respondToCreateBatch(new Request('http://127.0.0.1/api/batches', { method: 'POST', body: form }));
    expect(response.status).toBe(202);
    await hooks.waitFor(1);
  });

  it('checks the server default at delivery time: a private WEBHOOK_URL is not called without WEBHOOK_ALLOW_PRIVATE', async () => {
    const hooks = await receiver();
    useTestApp({ WEBHOOK_URL: hooks.url, WEBHOOK_RETRY_DELAYS_MS: '', QUEUE_SAFETY_POLL_MS: '100' });

    const { id } = (await (await createBatch({ numberOfImages: 1 })).json()) as BatchView;
    const batch = await waitForBatch(id, (candidate) => candidate.webhooks?.[0]?.attempts === 1);
    expect(batch.webhooks?.[0]?.lastError).toMatch(/loopback or private/);
    expect(hooks.received).toHaveLength(0);
  });
});
