import { request as httpRequest, createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, markRequestPeer, refuseUnsupportedRequests, refusalOfUnsupportedRequest } from './unsupported-requests';

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

describe('where a request comes from (the peer mark)', () => {
  it('isLoopbackAddress: 127.0.0.0/8, ::1 and IPv4-mapped 127.x only', () => {
    for (const address of ['127.0.0.1', '127.45.6.7', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', '0.0.0.0', '::', 'fe80::1', '2001:db8::127', '128.0.0.1', '', undefined]) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    }
  });

  /** What the HTTP server hands its listeners, reduced to what markRequestPeer reads. */
  const fakeRequest = (remoteAddress: string | undefined, rawHeaders: string[]): IncomingMessage => {
    const headers: Record<string, string> = {};
    for (let index = 0; index < rawHeaders.length; index += 2) headers[rawHeaders[index]!.toLowerCase()] = rawHeaders[index + 1]!;
    return { socket: { remoteAddress }, headers, rawHeaders: [...rawHeaders] } as unknown as IncomingMessage;
  };
  const peerValues = (request: IncomingMessage) =>
    request.rawHeaders.flatMap((value, index) => (index % 2 === 0 && value.toLowerCase() === 'x-imagegen-peer' ? [request.rawHeaders[index + 1]] : []));

  it("replaces a client's claim to be on this machine with the socket's truth, in headers and raw headers", () => {
    const request = fakeRequest('10.0.0.5', ['Host', 'example.com', 'X-Imagegen-Peer', 'loopback', 'Accept', '*/*', 'x-imagegen-peer', 'loopback']);
    markRequestPeer(request);
    expect(request.headers['x-imagegen-peer']).toBe('remote');
    expect(peerValues(request)).toEqual(['remote']);
    // The other headers stay, in order.
    expect(request.rawHeaders.slice(0, 4)).toEqual(['Host', 'example.com', 'Accept', '*/*']);
  });

  it('marks a loopback socket loopback whatever the client said, and a socket without an address remote', () => {
    const local = fakeRequest('::ffff:127.0.0.1', ['x-imagegen-peer', 'remote']);
    markRequestPeer(local);
    expect(local.headers['x-imagegen-peer']).toBe('loopback');
    expect(peerValues(local)).toEqual(['loopback']);

    const unknown = fakeRequest(undefined, []);
    markRequestPeer(unknown);
    expect(unknown.headers['x-imagegen-peer']).toBe('remote');
    expect(peerValues(unknown)).toEqual(['remote']);
  });

  it('on a real server, every request reaches the handler marked by its socket, never by the client', async () => {
    refuseUnsupportedRequests();
    const seen: { header: string | string[] | undefined; raw: string[] }[] = [];
    const server = createServer((request, response) => {
      seen.push({ header: request.headers['x-imagegen-peer'], raw: peerValues(request) as string[] });
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const send = (headers: Record<string, string>) =>
      new Promise<void>((resolve, reject) => {
        const outgoing = httpRequest({ host: '127.0.0.1', port, path: '/', headers }, (response) => {
          response.resume();
          response.on('end', resolve);
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    try {
      await send({ 'x-imagegen-peer': 'remote' });
      await send({});
      expect(seen).toEqual([
        { header: 'loopback', raw: ['loopback'] },
        { header: 'loopback', raw: ['loopback'] },
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
