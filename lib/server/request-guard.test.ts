import { describe, expect, it } from 'vitest';
import { guardRequest, requestGuardSettingsFrom } from './request-guard';

const settings = requestGuardSettingsFrom({ PUBLIC_URL: 'https://images.example.org', ALLOWED_HOSTS: 'studio.lan, 10.0.0.5:3000' });
const request = (method: string, path: string, headers: Record<string, string>) => ({ method, path, headers: new Headers(headers) });

describe('guardRequest', () => {
  it('lets the page and API clients on an allowed host through', () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', 'images.example.org', 'studio.lan:8080', '10.0.0.5:3000']) {
      expect(guardRequest(request('GET', '/', { host }), settings)).toBeUndefined();
    }
    // curl and SDKs send no Origin: they go on to authentication.
    expect(guardRequest(request('POST', '/api/batches', { host: '127.0.0.1:3000' }), settings)).toBeUndefined();
    expect(guardRequest(request('POST', '/api/batches', { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }), settings)).toBeUndefined();
    // Behind a reverse proxy that forwards another Host, the public URL is the page's origin.
    expect(guardRequest(request('POST', '/api/batches', { host: 'images.example.org', origin: 'https://images.example.org' }), settings)).toBeUndefined();
    // The page itself: same origin.
    expect(
      guardRequest(request('POST', '/api/batches', { host: 'images.example.org', origin: 'https://images.example.org', 'sec-fetch-site': 'same-origin' }), settings),
    ).toBeUndefined();
  });

  it('refuses a host it does not answer to (DNS rebinding), saying what to set', () => {
    const refusal = guardRequest(request('GET', '/api/batches', { host: 'attacker.example' }), settings);
    expect(refusal).toMatchObject({ status: 421, error: expect.stringMatching(/"attacker.example".*ALLOWED_HOSTS/) });
    expect(guardRequest(request('GET', '/', {}), settings)?.status).toBe(421);
  });

  it('refuses a state-changing request from another site (CSRF), by Sec-Fetch-Site or Origin', () => {
    const host = '127.0.0.1:3000';
    for (const headers of <Record<string, string>[]>[
      { host, 'sec-fetch-site': 'cross-site' },
      { host, origin: 'https://attacker.example' },
      { host, origin: 'null' },
      { host, origin: 'http://localhost:3000' },
      // Another port on the same machine is another origin.
      { host, origin: 'http://127.0.0.1:4000' },
    ]) {
      for (const method of ['POST', 'DELETE', 'PUT']) {
        const path = method === 'PUT' ? '/' : '/api/batches/abc/cancel';
        expect(guardRequest(request(method, path, headers), settings)).toMatchObject({ status: 403, error: expect.stringMatching(/another site/) });
      }
    }
    // Reading is not changing: a cross-site GET of the page is allowed (the CSP and cookies guard it).
    expect(guardRequest(request('GET', '/', { host, 'sec-fetch-site': 'cross-site' }), settings)).toBeUndefined();
  });

  it('answers 405 for methods the API does not have, and 400 for a malformed %-escape', () => {
    const host = '127.0.0.1';
    expect(guardRequest(request('TRACE', '/api/batches', { host }), settings)).toMatchObject({ status: 405, headers: { Allow: 'GET, HEAD, POST, DELETE, OPTIONS' } });
    expect(guardRequest(request('PATCH', '/api/generate', { host }), settings)?.status).toBe(405);
    expect(guardRequest(request('GET', '/api/batches/%zz', { host }), settings)).toMatchObject({ status: 400 });
    expect(guardRequest(request('GET', '/api/images/%ff', { host }), settings)).toMatchObject({ status: 400 });
    expect(guardRequest(request('GET', '/api/images/abc%20def', { host }), settings)).toBeUndefined();
  });
});
