import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { ProgressEvent } from '@/lib/core';
import { createRemoteBatchClient } from './remote-batch-client';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const counters = { batchId: 'b1', total: 1, completed: 0, failed: 0, etaMs: null };

it('follows the logged events and skips the live step progress between them (no id: not a logged event)', async () => {
  const frames = [
    `id: 1\nevent: batch-start\ndata: ${JSON.stringify({ type: 'batch-start', ...counters, sequence: 1, provider: 'a1111', model: 'default', isDemo: false, mode: 'text-to-image' })}\n\n`,
    `id: 2\nevent: item-start\ndata: ${JSON.stringify({ type: 'item-start', ...counters, sequence: 2, index: 1, attempt: 1 })}\n\n`,
    `event: item-progress\ndata: ${JSON.stringify({ type: 'item-progress', batchId: 'b1', index: 1, step: 7, totalSteps: 20 })}\n\n`,
    `id: 3\nevent: batch-end\ndata: ${JSON.stringify({ type: 'batch-end', ...counters, sequence: 3, failed: 1, status: 'failed' })}\n\n`,
  ];
  server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(frames.join(''));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const client = createRemoteBatchClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, undefined);
  const received: ProgressEvent[] = [];
  await client.follow('b1', 0, (event) => received.push(event), new AbortController().signal);
  expect(received.map((event) => event.type)).toEqual(['batch-start', 'item-start', 'batch-end']);
});
