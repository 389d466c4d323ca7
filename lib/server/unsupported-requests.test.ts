import { request as httpRequest, createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
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
      expect(await sendConnect(port)).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n[\s\S]*Allow: GET, HEAD, POST, DELETE, OPTIONS[\s\S]*\{"error":"Method CONNECT is not allowed."\}$/);
      expect(handled).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** A raw CONNECT (node's client would tunnel it): what the server wrote back before closing. */
function sendConnect(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n'));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
