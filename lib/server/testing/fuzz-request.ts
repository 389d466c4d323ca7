import fc from 'fast-check';
import { contentLengthArbitrary, contentTypeArbitrary, type HeaderList } from './fuzz-arbitraries';
import { bodyBytes, type BodySpec } from './fuzz-bodies';
import type { ImageFixtures } from './fuzz-images';

/*
 * One generated request as plain data (printed as is in a counterexample), and the WHATWG Request
 * that Next.js would hand a route handler for it.
 */

export type ContentTypeSpec = { kind: 'natural' } | { kind: 'none' } | { kind: 'given'; value: string };

/** How the body reaches the handler: whole, as a stream of small chunks (chunked upload), or a stream that breaks off. */
export type Delivery = 'buffer' | 'chunked' | 'broken';

export interface FuzzRequest {
  method: string;
  id?: string;
  /** Raw, after `?` (may hold bad %-escapes: URLSearchParams decodes leniently, as Next.js's URL does). */
  query?: string;
  headers: HeaderList;
  body?: BodySpec;
  contentType: ContentTypeSpec;
  contentLength?: string;
  delivery: Delivery;
}

export const contentTypeSpecArbitrary: fc.Arbitrary<ContentTypeSpec> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'natural' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: contentTypeArbitrary.map((value) => ({ kind: 'given' as const, value })) },
);

/** Mostly the true length (or none, for a chunked body); sometimes a lie. */
export const contentLengthSpecArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: contentLengthArbitrary },
);

export const deliveryArbitrary: fc.Arbitrary<Delivery> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('buffer' as const) },
  { weight: 2, arbitrary: fc.constant('chunked' as const) },
  { weight: 1, arbitrary: fc.constant('broken' as const) },
);

/** The WHATWG Request a route handler receives for this description. */
export async function toFetchRequest(path: string, fuzz: FuzzRequest, fixtures: ImageFixtures, signal?: AbortSignal): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of fuzz.headers) headers.append(name, asHeaderValue(value));
  const body = fuzz.method === 'GET' || fuzz.method === 'HEAD' || !fuzz.body ? undefined : await bodyBytes(fuzz.body, fixtures);
  const bytes = body?.bytes;
  const naturalContentType = body?.contentType;
  if (fuzz.contentType.kind === 'given') headers.set('content-type', fuzz.contentType.value);
  else if (fuzz.contentType.kind === 'natural' && naturalContentType) headers.set('content-type', naturalContentType);
  else if (fuzz.contentType.kind === 'none') headers.delete('content-type');
  if (fuzz.contentLength !== undefined) headers.set('content-length', fuzz.contentLength);
  else if (bytes && fuzz.delivery === 'buffer') headers.set('content-length', String(bytes.byteLength));

  const url = `http://127.0.0.1${path}${fuzz.query === undefined ? '' : `?${fuzz.query}`}`;
  const init: RequestInit & { duplex?: 'half' } = { method: fuzz.method, headers, ...(signal ? { signal } : {}) };
  if (bytes) {
    if (fuzz.delivery === 'buffer') init.body = bytes as Uint8Array<ArrayBuffer>;
    else {
      init.body = streamOf(bytes, fuzz.delivery === 'broken');
      init.duplex = 'half';
    }
  }
  return new Request(url, init);
}

/**
 * A value as Node's HTTP server hands it on: the bytes a client sent (here the UTF-8 of the
 * string), read as Latin-1, without the CR, LF and NUL that the parser refuses.
 */
function asHeaderValue(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1').replace(/[\r\n\0]/g, ' ');
}

/** The bytes in chunks of at most 1000; `breaks` errors the stream halfway, as a client that drops mid-upload. */
function streamOf(bytes: Uint8Array, breaks: boolean): ReadableStream<Uint8Array> {
  let offset = 0;
  const stopAt = breaks ? Math.floor(bytes.byteLength / 2) : bytes.byteLength;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= stopAt) {
        if (breaks) controller.error(new Error('The client went away mid-upload'));
        else controller.close();
        return;
      }
      const size = Math.min(offset < 64 * 1024 ? 1000 : 256 * 1024, stopAt - offset);
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** A `?…` for `GET /api/batches`: limit and before garbage, duplicates, bad escapes, noise. */
