import { Readable } from 'node:stream';
import { getApp } from './create-app';

/**
 * `GET /api/images/:id`: a stored image's bytes, streamed from disk. Ids are random and an image
 * never changes, so it may be cached for good. An id that is not one the store issues (path tricks
 * included) is a 400 before it comes near the file system; a well-formed unknown id is a 404.
 */
export async function respondWithImage(request: Request, imageId: string): Promise<Response> {
  const { store } = await getApp().batches();
  const image = await store.blobs.open(imageId);
  request.signal.addEventListener('abort', () => image.stream.destroy(), { once: true });
  return new Response(Readable.toWeb(image.stream) as ReadableStream<Uint8Array>, {
    headers: {
      'Content-Type': image.mimeType,
      'Content-Length': String(image.byteLength),
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: `"${image.imageId}"`,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
