import { InputError } from './input-error';

/**
 * The request's body, read to at most `maxBytes`: the limit holds while reading, so a chunked
 * upload (no Content-Length) or one that lies about its length is cut off at the limit, not
 * buffered whole. Over the limit: a 413 InputError, and the rest is not read.
 */
export async function readLimitedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('The request body could not be read.', { field: 'body' });
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(maxBytes: number): InputError {
  const size = maxBytes >= 1024 * 1024 ? `${Math.floor(maxBytes / 1024 / 1024)} MB` : `${Math.floor(maxBytes / 1024)} KB`;
  return new InputError(`The request is too large: at most ${size}.`, { field: 'body', status: 413 });
}

/** A JSON body of at most `maxBytes`; a 400 InputError when it is not JSON. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const text = new TextDecoder().decode(await readLimitedBody(request, maxBytes));
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError('The body must be JSON.', { field: 'body' });
  }
}
