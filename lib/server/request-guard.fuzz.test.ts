/**
 * Property-based fuzzing of what every request passes before a route sees it: the request guard
 * (proxy.ts) over generated methods, paths, Host/Origin/Sec-Fetch-Site headers and server
 * settings, and the HTTP server's refusal of requests Next.js cannot represent. Neither may throw
 * (a throw there is a bare 500 for every request), and each answer must be what the README says.
 * Seeded like the route fuzzer: `FUZZ_SEED`, `FUZZ_RUNS_SCALE`.
 */
import { METHODS } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters, headerValue, nastyString } from './testing/fuzz-arbitraries';
import { guardRequest, requestGuardSettingsFrom } from './request-guard';
import { refusalOfUnsupportedRequest } from './unsupported-requests';

const apiMethods = ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'];
const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]'];

const methodArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...apiMethods) },
  { weight: 3, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 1, arbitrary: fc.constantFrom('get', 'Post', 'dElEtE', 'trace', 'TRACK', 'CONNECT', 'FOO', '', ' ', 'GET ') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,12}$/) },
);

const pathSegment = fc.oneof(
  fc.constantFrom('api', 'batches', 'images', 'events', 'zip', 'cancel', 'retry', '..', '.', '', '%', '%zz', '%2F', '%2e%2e', '%E0%A4%A', '%ff', '%00', '*'),
  fc.uuid(),
  nastyString,
);

/** Paths as sent (still %-encoded, or not): API paths, page paths, `*`, traversal, broken escapes, raw unicode. */
const pathArbitrary = fc.oneof(
  { weight: 5, arbitrary: fc.array(pathSegment, { minLength: 1, maxLength: 5 }).map((segments) => `/${segments.join('/')}`) },
  { weight: 3, arbitrary: fc.array(pathSegment, { maxLength: 4 }).map((segments) => `/api/${segments.join('/')}`) },
  { weight: 1, arbitrary: fc.constantFrom('*', '', '/', '//', '///evil', '/\\evil', 'http://evil.example/api/batches', '/api', '/api/', '/API/batches') },
);

const hostName = fc.oneof(
  fc.constantFrom(...loopbackHosts, 'LOCALHOST', '127.0.0.1.', 'images.example.org', 'studio.lan', 'attacker.example', '0.0.0.0', '[::ffff:127.0.0.1]', '127.1', '2130706433'),
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((address) => `[${address}]`),
);

const hostHeader = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(hostName, fc.option(fc.integer({ min: 0, max: 99_999 }), { nil: undefined })).map(([name, port]) => (port === undefined ? name : `${name}:${port}`)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', ':', ':3000', '127.0.0.1:', '127.0.0.1:abc', 'user@127.0.0.1', '127.0.0.1, evil.example', '[::1', '::1', '127.0.0.1:3000:3000') },
  { weight: 1, arbitrary: headerValue(40) },
);

const originHeader = fc.oneof(
  fc.tuple(fc.constantFrom('http', 'https', 'HTTP', 'file', 'chrome-extension'), hostHeader).map(([scheme, host]) => `${scheme}://${host}`),
  fc.constantFrom('null', '', 'http://', 'https://images.example.org', 'https://images.example.org/', 'http://127.0.0.1:3000'),
  headerValue(40),
);

const headersArbitrary = fc
  .record({
    host: fc.option(hostHeader, { nil: undefined, freq: 8 }),
    origin: fc.option(originHeader, { nil: undefined, freq: 2 }),
    'sec-fetch-site': fc.option(fc.oneof(fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', 'CROSS-SITE', ''), headerValue(15)), { nil: undefined, freq: 2 }),
  })
  .map((fields) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(fields)) {
      // As Node hands header bytes on: Latin-1, without CR, LF, NUL.
      if (value !== undefined) headers.set(name, Buffer.from(value, 'utf8').toString('latin1').replace(/[\r\n\0]/g, ' '));
    }
    return headers;
  });

const settingsEnvArbitrary = fc.record({
  PUBLIC_URL: fc.option(fc.oneof(fc.constantFrom('https://images.example.org', 'http://studio.lan:8080', 'not a url', '', 'https://', 'ftp://x'), fc.webUrl(), nastyString), { nil: undefined }),
  ALLOWED_HOSTS: fc.option(
    fc.oneof(fc.constantFrom('studio.lan, 10.0.0.5:3000', ',,,', ' ', 'EVIL.example', '*'), fc.array(hostHeader, { maxLength: 4 }).map((hosts) => hosts.join(','))),
    { nil: undefined },
  ),
});

describe('fuzzing the request guard', () => {
  it('never throws, refuses only with a 4xx and a message, and lets safe requests to a loopback host through', () => {
    fc.assert(
      fc.property(methodArbitrary, pathArbitrary, headersArbitrary, settingsEnvArbitrary, (method, path, headers, env) => {
        const settings = requestGuardSettingsFrom(env);
        const refusal = guardRequest({ method, path, headers }, settings);
        if (refusal) {
          expect(refusal.status).toBeGreaterThanOrEqual(400);
          expect(refusal.status).toBeLessThan(500);
          expect(refusal.error.trim()).not.toBe('');
          if (refusal.status === 405) expect(refusal.headers?.Allow).toBe(apiMethods.join(', '));
        }
        const host = headers.get('host')?.trim().toLowerCase() ?? '';
        const isLoopback = loopbackHosts.some((name) => host === name || new RegExp(`^${name.replace(/[.[\]]/g, '\\$&')}:\\d{1,5}$`).test(host));
        let isWellEncoded = true;
        try {
          decodeURIComponent(path);
        } catch {
          isWellEncoded = false;
        }
        if (!isLoopback && refusal?.status !== 421) {
          // Anything else it lets through must be a host the settings allow.
          const name = host.replace(/:\d{1,5}$/, '');
          expect(settings.allowedHostNames.has(name), `host ${JSON.stringify(host)} got through`).toBe(true);
        }
        if (isLoopback && !isWellEncoded) expect(refusal?.status).toBe(400);
        if (isLoopback && isWellEncoded && ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase())) expect(refusal).toBeUndefined();
        if (isLoopback && isWellEncoded && path.startsWith('/api/') && !apiMethods.includes(method.toUpperCase())) expect(refusal?.status).toBe(405);
        if (isLoopback && isWellEncoded && ['POST', 'DELETE'].includes(method.toUpperCase())) {
          const site = headers.get('sec-fetch-site');
          if (site === 'cross-site' || site === 'same-site') expect(refusal?.status).toBe(403);
        }
      }),
      fuzzParameters(5_000),
    );
  });

  it('what the HTTP server lets reach Next.js, Next.js can represent as a Request (else a bare 500)', () => {
    // Request targets as Node's parser hands them on: origin-form, `*`, absolute-form, authority-form.
    const target = fc.oneof(
      { weight: 4, arbitrary: pathArbitrary.filter((path) => /^[\x21-\x7e]*$/.test(path)) },
      { weight: 1, arbitrary: fc.constantFrom('*', 'example.org:443', '127.0.0.1:3210', 'http://127.0.0.1:3210/api/batches', 'https://evil.example/') },
      { weight: 1, arbitrary: fc.webUrl() },
    );
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), target, (method, url) => {
        const refusal = refusalOfUnsupportedRequest(method, url);
        if (refusal) {
          expect([400, 405]).toContain(refusal.status);
          expect(refusal.error.trim()).not.toBe('');
          return;
        }
        expect(url.startsWith('/')).toBe(true);
        // Next.js builds the request's URL from the origin and the target as sent, then a Request with its method.
        const request = new Request(`http://127.0.0.1:3210${url}`, { method });
        expect(request.method.toUpperCase()).toBe(method);
      }),
      fuzzParameters(3_000),
    );
  });
});
