import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../create-app';
import { isPublicAddress } from './webhook-address';
import { defaultWebhookRetryDelaysMs, retryDelayAfter } from './webhook-retry-schedule';
import { createWebhookSigner } from './webhook-signature';
import { sendWebhook } from './send-webhook';
import { startWebhookReceiver } from './testing/webhook-receiver';

describe('isPublicAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '::ffff:a00:1', '::127.0.0.1', '::7f00:1'])(
    'refuses %s',
    (address) => expect(isPublicAddress(address)).toBe(false),
  );
  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '::ffff:808:808'])('allows %s', (address) => expect(isPublicAddress(address)).toBe(true));
  it('refuses what is not an address', () => expect(isPublicAddress('example.org')).toBe(false));
});

describe('retry schedule', () => {
  it('retries for about a day, then stops', () => {
    const totalHours = defaultWebhookRetryDelaysMs.reduce((sum, delay) => sum + delay, 0) / 3_600_000;
    expect(totalHours).toBeGreaterThan(23);
    expect(totalHours).toBeLessThan(25);
    expect(retryDelayAfter(1)).toBe(5_000);
    expect(retryDelayAfter(defaultWebhookRetryDelaysMs.length)).toBe(8 * 3_600_000);
    expect(retryDelayAfter(defaultWebhookRetryDelaysMs.length + 1)).toBeUndefined();
  });
});

describe('createWebhookSigner', () => {
  const date = new Date('2026-11-30T12:00:00Z');

  it('takes a secret without whsec_ as its raw UTF-8 bytes', () => {
    const headers = createWebhookSigner('a plain secret é')('msg_1', date, '{"a":1}');
    const expected = createHmac('sha256', Buffer.from('a plain secret é', 'utf8')).update(`msg_1.${date.getTime() / 1000}.{"a":1}`).digest('base64');
    expect(headers).toEqual({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(date.getTime() / 1000), 'webhook-signature': `v1,${expected}` });
  });

  it('sends id and timestamp only without a secret', () => {
    expect(createWebhookSigner(undefined)('msg_1', date, '{}')).toEqual({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(date.getTime() / 1000) });
  });

  it('refuses a whsec_ secret that is not base64 at start-up, without showing it', () => {
    expect(() => createApp({ WEBHOOK_SECRET: 'whsec_not*base64!', LOG_LEVEL: 'silent', IMAGE_PROVIDER: 'demo', DATA_DIR: '/nonexistent' })).toThrow(
      /WEBHOOK_SECRET must be whsec_/,
    );
    try {
      createApp({ WEBHOOK_SECRET: 'whsec_not*base64!', IMAGE_PROVIDER: 'demo' });
    } catch (error) {
      expect(String(error)).not.toContain('not*base64');
    }
  });
});

describe('sendWebhook', () => {
  const receivers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
  });

  it('refuses a name that resolves inside at delivery time (DNS rebinding), without connecting', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const outcome = await sendWebhook({
      url: `http://hooks.example.test:${receiver.port}/hook`,
      body: '{}',
      headers: {},
      timeoutMs: 1_000,
      allowPrivate: false,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    expect(outcome).toEqual({ error: expect.stringMatching(/loopback or private/) });
    expect(receiver.received).toHaveLength(0);
  });

  it('connects to exactly the addresses it checked, keeping the Host', async () => {
    const receiver = await startWebhookReceiver([202]);
    receivers.push(receiver);
    const outcome = await sendWebhook({
      url: `http://hooks.example.test:${receiver.port}/hook`,
      body: '{"ok":true}',
      headers: { 'webhook-id': 'msg_1' },
      timeoutMs: 1_000,
      allowPrivate: true,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    expect(outcome).toEqual({ statusCode: 202 });
    expect(receiver.received[0]).toMatchObject({ body: '{"ok":true}', headers: { host: `hooks.example.test:${receiver.port}`, 'webhook-id': 'msg_1' } });
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    receivers.push({ close: () => new Promise<void>((resolve) => { silent.closeAllConnections(); silent.close(() => resolve()); }) });
    const { port } = silent.address() as { port: number };
    const outcome = await sendWebhook({ url: `http://127.0.0.1:${port}/`, body: '{}', headers: {}, timeoutMs: 200, allowPrivate: true });
    expect(outcome).toEqual({ error: 'No answer within 0.2 s' });
  });

  it('reports a refused connection as a network error', async () => {
    const receiver = await startWebhookReceiver();
    await receiver.close();
    const outcome = await sendWebhook({ url: `http://127.0.0.1:${receiver.port}/`, body: '{}', headers: {}, timeoutMs: 1_000, allowPrivate: true });
    expect(outcome).toEqual({ error: 'Network error (ECONNREFUSED)' });
  });
});
