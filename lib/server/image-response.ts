import { Readable } from 'node:stream';
import { parseImageId, StoreError } from '@/lib/store';
import { canSee, seesEverything, type Principal } from './accounts';
import { getApp } from './create-app';

/**
 * `GET` and `HEAD /api/images/:id`: a stored image's bytes, streamed from the blob store (files
 * under DATA_DIR, or S3 with BLOB_STORE_URL). From S3 too the bytes pass through here rather than
 * a redirect to a presigned URL: the owner check below runs on every request, where a presigned
 * URL would keep serving a private image for its whole lifetime after a sign-out, a revoked token
 * or a deleted account, to anyone it was copied to.
 *
 * Ids are random and an image never changes, so it may be cached for good, and a client that has
 * it (`If-None-Match` with its ETag) gets a 304 without the image being opened. `HEAD` answers the
 * headers and closes the image at once. An id that is not one the store issues (path tricks included) is a 400 before
 * it comes near the file system; a well-formed unknown id is a 404, and so is another user's image.
 * With accounts the cache is the browser's own (`private`): a shared cache must not hand one
 * user's image to another.
 */
export async function respondWithImage(request: Request, imageId: string, principal: Principal): Promise<Response> {
  const etag = `"${imageId}"`;
  const cacheHeaders = {
    'Cache-Control': `${principal.kind === 'local' ? 'public' : 'private'}, max-age=31536000, immutable`,
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  const { store } = await getApp().batches();
  parseImageId(imageId);
  if (!seesEverything(principal)) {
    const owner = await store.batches.findImageOwner(imageId);
    if (!owner || !canSee(principal, owner.ownerId)) throw new StoreError('not_found', 'No image with this id.');
  }
  if (matchesEtag(request.headers.get('if-none-match'), etag)) {
    return new Response(null, { status: 304, headers: cacheHeaders });
  }
  const image = await store.blobs.open(imageId);
  const headers = { ...cacheHeaders, 'Content-Type': image.mimeType, 'Content-Length': String(image.byteLength) };
  if (request.method === 'HEAD') {
    image.stream.destroy();
    return new Response(null, { headers });
  }
  request.signal.addEventListener('abort', () => image.stream.destroy(), { once: true });
  return new Response(Readable.toWeb(image.stream) as ReadableStream<Uint8Array>, { headers });
}

/** `If-None-Match: "a", "b"` or `*` against our ETag (weak validators compare equal for images that never change). */
function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
