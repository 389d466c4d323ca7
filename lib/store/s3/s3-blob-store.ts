import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BlobStore, OpenedImage } from '../blob-store';
import { createImageId, parseImageId } from '../image-id';
import { StoreError } from '../store-error';
import { toStoredImage } from '../stored-image';
import { isMissingObject, toS3StoreError } from './s3-errors';
import type { S3Location } from './s3-location';

export interface S3BlobStoreOptions extends S3Location {
  /** A client set up for the bucket's server (see `s3ClientConfigFromEnv`); the caller destroys it. */
  client: S3Client;
}

/** Probe objects start with a dot, like the file store's temporary files: never an image id, so never served. */
const probePrefix = '.probe-';
/** What a write probe writes: about the smallest image, as the file store's probe. */
const probeBytes = new Uint8Array(4 * 1024);

/**
 * Images on S3-compatible storage, one object per image at `<keyPrefix><imageId>`, with its
 * `Content-Type`. A PutObject is atomic (a reader sees the whole object or none) and durable once
 * S3 has answered it, so `put` resolves only after that answer.
 *
 * `GET /api/images/:id` streams the object through the server rather than redirecting to a
 * presigned URL: images are private to their owner and the server checks that on every request;
 * a presigned URL is a bearer token that keeps working for its whole lifetime after a sign-out, a
 * revoked token or a deleted account, can be copied anywhere, and would need the bucket reachable
 * from every client (the S3 endpoint is often on a private network). Images are small, so the
 * extra hop costs little.
 *
 * Permissions: s3:PutObject, s3:GetObject, s3:DeleteObject on the prefix, and s3:ListBucket on the
 * bucket (without it S3 answers a missing image with 403 rather than 404, and that reads as a
 * configuration error).
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const { client, bucket, keyPrefix } = options;
  const keyOf = (name: string) => `${keyPrefix}${name}`;

  const putObject = async (key: string, body: Uint8Array, contentType: string) => {
    await client
      .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }))
      .catch((error: unknown) => {
        throw toS3StoreError(error);
      });
  };

  return {
    async put(bytes, declaredMimeType, metadata) {
      const { bytes: stored, mimeType } = toStoredImage(bytes, declaredMimeType, metadata);
      const imageId = createImageId(mimeType);
      await putObject(keyOf(imageId), stored, mimeType);
      return { imageId, mimeType, byteLength: stored.byteLength };
    },

    async open(imageId): Promise<OpenedImage> {
      const { mimeType } = parseImageId(imageId);
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(imageId) })).catch((error: unknown) => {
        throw isMissingObject(error) ? new StoreError('not_found', 'No such image') : toS3StoreError(error);
      });
      const stream = toNodeReadable(response.Body);
      if (response.ContentLength === undefined) {
        stream.destroy();
        throw new Error('S3 answered a GetObject without its Content-Length');
      }
      return { imageId, mimeType, byteLength: response.ContentLength, stream };
    },

    async delete(imageId) {
      parseImageId(imageId);
      const key = keyOf(imageId);
      // S3's DeleteObject succeeds on a missing key, so only a HEAD first can tell "there was none".
      // Two deletes racing may both answer true; the image is gone either way. (A HEAD's 404 has no
      // body to tell a missing bucket from a missing key; the bucket was checked at start.)
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        if (isMissingObject(error)) return false;
        throw toS3StoreError(error);
      }
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
        throw toS3StoreError(error);
      });
      return true;
    },

    async checkWritable() {
      const key = keyOf(`${probePrefix}${randomUUID()}`);
      try {
        await putObject(key, probeBytes, 'application/octet-stream');
      } finally {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
      }
    },
  };
}

/** GetObject's body is a Node stream on Node; a web stream only under other runtimes' handlers. */
function toNodeReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  throw new Error('S3 answered a GetObject without a body');
}
