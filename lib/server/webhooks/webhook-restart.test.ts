import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchView } from '@/lib/core';
import { spawnBatchServer } from '../testing/spawn-batch-server';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('webhooks across a crash (a real server process)', () => {
  it('kill -9 in the middle of an attempt, restart: the delivery is sent again at once, same id and body', { timeout: 90_000 }, async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-webhook-restart-'));
    cleanups.push(() => rm(dataDirectory, { recursive: true, force: true }));
    // The receiver holds the first request open (the worker is mid-attempt when it dies), then answers 200.
    const received: { id: string; body: string; at: number }[] = [];
    const held: ServerResponse[] = [];
    let firstArrived: () => void = () => {};
    const isFirstHere = new Promise<void>((resolve) => (firstArrived = resolve));
    const receiver = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ id: String(request.headers['webhook-id']), body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        if (received.length === 1) {
          held.push(response);
          firstArrived();
        } else {
          response.writeHead(200).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          receiver.closeAllConnections();
          receiver.close(() => resolve());
        }),
    );
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const env = { DATA_DIR: dataDirectory, IMAGE_PROVIDER: 'demo', PACING_MIN_INTERVAL_MS: '0', WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_TIMEOUT_MS: '30000' };

    const first = await spawnBatchServer(env);
    const response = await fetch(`${first.baseUrl}/api/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'survives a crash', numberOfImages: 1, webhookUrl }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as BatchView;
    await isFirstHere;
    await first.killHard();

    const restartedAt = Date.now();
    const second = await spawnBatchServer(env);
    const deadline = Date.now() + 20_000;
    let batch: BatchView;
    do {
      await new Promise((resolve) => setTimeout(resolve, 50));
      batch = (await (await fetch(`${second.baseUrl}/api/batches/${id}`)).json()) as BatchView;
    } while (batch.webhooks?.[0]?.status !== 'delivered' && Date.now() < deadline);

    expect(batch.webhooks?.[0]).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
    expect(received).toHaveLength(2);
    expect(received[1]!.id).toBe(received[0]!.id);
    expect(received[1]!.body).toBe(received[0]!.body);
    // Not after the 95 s lease (3 × the timeout + 5 s): the restart freed the claim.
    expect(received[1]!.at - restartedAt).toBeLessThan(20_000);
  });
});
