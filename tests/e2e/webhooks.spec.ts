import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './base-test';
import { startBatch } from './helpers';

/**
 * A batch's completion webhook on its card: a receiver on this machine (the browser tests' server runs
 * with WEBHOOK_ALLOW_PRIVATE=1 and short retry waits) answers 500 first, then 204; the card says
 * "retrying" with the status code, then "delivered", and the receiver got the batch's summary.
 */
let receiver: Server | undefined;
test.afterEach(() => new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve())));

test('the card shows a batch’s webhook: retrying after a 500, then delivered', async ({ page, request, generator }) => {
  test.setTimeout(60_000);
  const bodies: { type: string; data: { id: string; status: string } }[] = [];
  let calls = 0;
  receiver = createServer((incoming, answer) => {
    let body = '';
    incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
    incoming.on('end', () => {
      calls += 1;
      bodies.push(JSON.parse(body));
      // The first attempt fails, and the card (polled every 4 s) says so until the next one, 10 s later.
      answer.writeHead(calls === 1 ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;

  const batchId = await startBatch(request, { prompt: 'a lighthouse, announced by webhook', numberOfImages: 1, webhookUrl: `http://127.0.0.1:${port}/hook` });
  await generator.goto();
  const line = generator.card(batchId).getByTestId('batch-webhook');
  await expect(line).toHaveText(/retrying \(1 attempt, last 500\)/, { timeout: 20_000 });
  await expect(line).toHaveText('Webhook: delivered', { timeout: 30_000 });
  expect(calls).toBe(2);
  expect(bodies[1]).toMatchObject({ type: 'batch.ended', data: { batchId, status: 'completed' } });
});
