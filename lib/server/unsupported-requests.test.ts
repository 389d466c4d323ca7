import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { refuseUnsupportedRequests, refusalOfUnsupportedRequest } from './unsupported-requests';

describe('requests Next.js cannot represent', () => {
  it('are refused by method or by a target that is not a path', () => {
    expect(refusalOfUnsupportedRequest('TRACE', '/api/batches')).toMatchObject({ status: 405 });
    expect(refusalOfUnsupportedRequest('connect', '/')).toMatchObject({ status: 405 });
    expect(refusalOfUnsupportedRequest('OPTIONS', '*')).toMatchObject({ status: 400 });
    expect(refusalOfUnsupportedRequest('GET', '/api/batches')).toBeUndefined();
  });

  it('are answered on the HTTP server before any handler runs', async () => {
    refuseUnsupportedRequests();
    refuseUnsupportedRequests();
    let handled = 0;
    const server = createServer((_request, response) => {
      handled += 1;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const send = (method: string, path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const outgoing = httpRequest({ host: '127.0.0.1', port, method, path }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    try {
      expect(await send('TRACE', '/api/batches')).toEqual({ status: 405, body: '{"error":"Method TRACE is not allowed."}' });
      expect((await send('OPTIONS', '*')).status).toBe(400);
      expect(await send('GET', '/')).toEqual({ status: 200, body: 'ok' });
      expect(handled).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
