import fc from 'fast-check';

/**
 * The fuzz suites' settings (seed, runs) and generators of the hostile parts of an HTTP request
 * other than its body: strings, route ids, headers, query strings. Bodies are in fuzz-bodies.ts,
 * uploads in fuzz-images.ts, and fuzz-request.ts puts a request together.
 */

/** The run's seed: `FUZZ_SEED=<n>` replays a run, `FUZZ_SEED=random` draws a new one. Fixed otherwise, for CI. */
export function fuzzSeed(env: Record<string, string | undefined> = process.env): number {
  const value = env.FUZZ_SEED?.trim();
  if (value === 'random') return (Date.now() ^ Math.floor(Math.random() * 0x7fff_ffff)) | 0;
  if (value && /^-?\d+$/.test(value)) return Number(value) | 0;
  return 20_260_425;
}

/** `FUZZ_RUNS_SCALE=10` runs each property ten times as often (a longer local hunt). */
export function fuzzRuns(numRuns: number, env: Record<string, string | undefined> = process.env): number {
  const scale = Number(env.FUZZ_RUNS_SCALE ?? 1);
  return Number.isFinite(scale) && scale > 0 ? Math.max(1, Math.round(numRuns * scale)) : numRuns;
}

/** The fast-check parameters every fuzz property uses (the seed is printed with any counterexample). */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  // Shrinking a failing HTTP request takes many more requests; cap it so a failure reports in time.
  return { seed: fuzzSeed(), numRuns: fuzzRuns(numRuns), endOnFailure: process.env.FUZZ_SHRINK !== '1', verbose: 1 };
}

// ---------------------------------------------------------------------------------------------
// Text

/** Characters a header value may carry (a ByteString without CR, LF or NUL). */
const headerCharacter = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
).map((code) => String.fromCharCode(code));

export const headerValue = (maxLength = 40) => fc.string({ unit: headerCharacter, maxLength });

/** Strings people and attackers send: unicode, lone surrogates, NUL, path tricks, prototype keys. */
export const nastyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u0000',
    'null',
    'undefined',
    'NaN',
    'true',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '..',
    '../../etc/passwd',
    '..\\..\\windows',
    '%',
    '%zz',
    '%00',
    '%2e%2e%2f',
    '\ud800',
    '\udfff\ud800',
    '𝕗𝕦𝕫𝕫',
    '\u202egnp.exe',
    'a\u0000b',
    '<script>alert(1)</script>',
    "'; DROP TABLE batches; --",
    '${process.env}',
    '\uFEFF',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ maxLength: 30 }),
);

/** Long strings without generating every character: a repeated unit. */
export const longString = fc
  .tuple(fc.constantFrom('a', 'é', '𝕗', '%', '/', '\u0000', 'ab/..'), fc.integer({ min: 200, max: 20_000 }))
  .map(([unit, count]) => unit.repeat(count));

// ---------------------------------------------------------------------------------------------
// Ids

/** Ids for `:id` route params, as Next.js hands them (already %-decoded): known ones, near misses and garbage. */
export function idArbitrary(knownIds: readonly string[]): fc.Arbitrary<string> {
  const known = fc.constantFrom(...knownIds);
  return fc.oneof(
    { weight: 8, arbitrary: known },
    { weight: 3, arbitrary: nastyString },
    { weight: 1, arbitrary: longString },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.tuple(fc.uuid(), fc.constantFrom('png', 'jpg', 'bin', 'PNG', 'exe', '', 'png/..', 'png\u0000')).map(([id, extension]) => `${id}.${extension}`) },
    {
      weight: 3,
      arbitrary: fc.tuple(known, fc.constantFrom('upper', 'prefix', 'suffix', 'dot', 'slash', 'space', 'nul', 'double', 'cut')).map(([id, change]) => {
        switch (change) {
          case 'upper':
            return id.toUpperCase();
          case 'prefix':
            return `../${id}`;
          case 'suffix':
            return `${id}/../../imagegen.sqlite`;
          case 'dot':
            return `${id}.`;
          case 'slash':
            return `${id}/`;
          case 'space':
            return ` ${id} `;
          case 'nul':
            return `${id}\u0000`;
          case 'double':
            return `${id}${id}`;
          default:
            return id.slice(0, Math.max(0, id.length - 3));
        }
      }),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Headers

export type HeaderList = [name: string, value: string][];

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=latin1',
  'application/jsonp',
  'application/json-patch+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=nope',
  'multipart/form-data; boundary="quoted"',
  'multipart/mixed; boundary=x',
  'image/png',
  'application/octet-stream',
  '*/*',
  '',
  ';',
  'multipart/form-data; boundary=' + 'x'.repeat(300),
];

export const contentTypeArbitrary = fc.oneof(fc.constantFrom(...contentTypes), headerValue(60));

export const contentLengthArbitrary = fc.oneof(
  fc.constantFrom('0', '1', '-1', 'abc', '1e9', '99999999999', '18446744073709551616', '0x10', ' 12 ', '12, 12', '1.5', 'Infinity', 'NaN', ''),
  fc.nat().map(String),
);

const acceptArbitrary = fc.constantFrom('text/event-stream', 'application/json', '*/*', 'text/event-stream, application/json', 'text/html', '');

/** If-None-Match for the image route: `*`, weak, lists, the etag of a known id, garbage. */
export function ifNoneMatchArbitrary(knownIds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('*', 'W/*', '""', ',', ', ,', 'W/'),
    fc.constantFrom(...knownIds).map((id) => `"${id}"`),
    fc.constantFrom(...knownIds).map((id) => `W/"${id}", "other"`),
    headerValue(80),
  );
}

export const lastEventIdArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 40 }).map(String) },
  fc.constantFrom('', ' ', '0', '-1', '1.5', '1e3', '0x10', ' 3 ', '9007199254740993', '99999999999999999999999', '٣', 'NaN', '+1', '1,2'),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
  headerValue(30),
);

/** A few random headers: the ones the routes read, plus noise. */
export function headersArbitrary(knownIds: readonly string[]): fc.Arbitrary<HeaderList> {
  const header: fc.Arbitrary<[string, string]> = fc.oneof(
    fc.tuple(fc.constant('accept'), acceptArbitrary),
    fc.tuple(fc.constant('last-event-id'), lastEventIdArbitrary),
    fc.tuple(fc.constant('if-none-match'), ifNoneMatchArbitrary(knownIds)),
    fc.tuple(fc.constantFrom('origin', 'sec-fetch-site', 'host', 'x-forwarded-for', 'range', 'cookie', 'authorization'), headerValue(60)),
    fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), headerValue(40)),
  );
  return fc.array(header, { maxLength: 4 });
}

export function listQueryArbitrary(knownIds: readonly string[]): fc.Arbitrary<string | undefined> {
  const limit = fc.oneof(
    fc.integer({ min: -5, max: 150 }).map(String),
    fc.constantFrom('', '0', '1', '100', '101', '1e2', '0x10', '+5', ' 5', '5 ', '1.0', '99999999999999999999', 'NaN', 'Infinity', '%', '%zz', '%35', '٥'),
    nastyString.map(encodeLeniently),
  );
  const before = fc.oneof(fc.constantFrom(...knownIds).map(encodeLeniently), idArbitrary(knownIds).map(encodeLeniently), fc.constantFrom('', '%', '%zz', '%ff%fe'));
  const parameter = fc.oneof(
    limit.map((value) => `limit=${value}`),
    before.map((value) => `before=${value}`),
    fc.constantFrom('limit', 'before', '=', '&', '&&', 'limit=1&limit=2', 'before=&before=x', '__proto__=1', 'a=%', '%=%'),
  );
  return fc.option(
    fc.array(parameter, { maxLength: 4 }).map((parameters) => parameters.join('&')),
    { nil: undefined, freq: 5 },
  );
}

/** A `?lastEventId=…` for the events route, or nothing. */
export const eventsQueryArbitrary: fc.Arbitrary<string | undefined> = fc.option(
  fc.oneof(lastEventIdArbitrary.map((value) => `lastEventId=${encodeLeniently(value)}`), fc.constantFrom('lastEventId', 'lastEventId=%zz', 'lastEventId=1&lastEventId=x')),
  { nil: undefined, freq: 2 },
);

/** %-encodes what it can; a lone surrogate (which `encodeURIComponent` refuses) goes as a raw bad escape. */
export function encodeLeniently(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}
