import { createServer } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isConfigError } from '@/lib/core';
import type { BlobStore } from '../blob-store';
import { isStorageFullError } from '../storage-full';
import { isStoreError } from '../store-error';
import { createBlobStoreFromUrl } from './create-blob-store-from-url';
import { createS3BlobStore } from './s3-blob-store';
import { s3ClientConfigFromEnv } from './s3-client-config';
import { S3StorageFullError, toS3StoreError } from './s3-errors';
import { startS3TestServer, type S3TestServer } from './testing/s3-test-server';

/** The file blob store's behaviours, against a real S3-compatible server (s3rver) on 127.0.0.1. */
describe('createS3BlobStore', () => {
  let server: S3TestServer;
  let bucket: string;
  let bucketCount = 0;
  let client: S3Client;
  let requestCount: number;
  let blobs: BlobStore;
  let png: Buffer;
  const keyPrefix = 'imagegen/images/';

  beforeAll(async () => {
    server = await startS3TestServer();
    png = await sharp({ create: { width: 2, height: 2, channels: 4, background: '#ff000080' } }).png().toBuffer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    bucketCount += 1;
    bucket = `images-${bucketCount}`;
    await server.createBucket(bucket);
    client = new S3Client(s3ClientConfigFromEnv(server.env));
    requestCount = 0;
    client.middlewareStack.add(
      (next) => (arguments_) => {
        requestCount += 1;
        return next(arguments_);
      },
      { step: 'initialize' },
    );
    blobs = createS3BlobStore({ client, bucket, keyPrefix });
    return () => client.destroy();
  });

  async function kindOf(promise: Promise<unknown>) {
    try {
      await promise;
    } catch (error) {
      return isStoreError(error) ? error.kind : error;
    }
    return 'resolved';
  }

  const readObject = async (key: string) =>
    Buffer.from(await (await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());

  it('stores bytes as one object under the prefix, with its Content-Type, and streams them back with their size and type', async () => {
    const jpeg = await sharp(png).jpeg().toBuffer();

    const reference = await blobs.put(jpeg, 'image/jpeg');
    const opened = await blobs.open(reference.imageId);

    expect(reference).toEqual({ imageId: expect.stringMatching(/\.jpg$/), mimeType: 'image/jpeg', byteLength: jpeg.length });
    expect(opened).toMatchObject(reference);
    expect(await buffer(opened.stream)).toEqual(jpeg);
    expect(await server.listKeys(bucket)).toEqual([`${keyPrefix}${reference.imageId}`]);
    const head = await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${keyPrefix}${reference.imageId}` }));
    expect(head).toMatchObject({ ContentType: 'image/jpeg', ContentLength: jpeg.length });
  });

  it('resolves put only once the object is readable, and writes nothing but the images', async () => {
    const references = await Promise.all(
      Array.from({ length: 20 }, (_, position) => blobs.put(Buffer.from([0xff, 0xd8, 0xff, position]), 'image/jpeg')),
    );
    expect(await server.listKeys(bucket)).toEqual(references.map((reference) => `${keyPrefix}${reference.imageId}`).sort());
    for (const [position, reference] of references.entries()) {
      expect(await readObject(`${keyPrefix}${reference.imageId}`)).toEqual(Buffer.from([0xff, 0xd8, 0xff, position]));
    }
  });

  it('embeds the text metadata in PNGs', async () => {
    const reference = await blobs.put(png, 'image/png', { prompt: 'a red square', parameters: 'a red square\nModel: demo-1' });
    const stored = await readObject(`${keyPrefix}${reference.imageId}`);

    expect(reference.byteLength).toBe(stored.length);
    expect((await sharp(stored).metadata()).comments).toEqual([
      { keyword: 'prompt', text: 'a red square' },
      { keyword: 'parameters', text: 'a red square\nModel: demo-1' },
    ]);
  });

  it('trusts the bytes over the declared type, and keeps a PNG it cannot edit as received', async () => {
    const jpeg = await sharp(png).jpeg().toBuffer();
    const mislabelled = await blobs.put(jpeg, 'image/png', { prompt: 'x' });
    expect(mislabelled.mimeType).toBe('image/jpeg');
    expect(await readObject(`${keyPrefix}${mislabelled.imageId}`)).toEqual(jpeg);

    const truncated = png.subarray(0, 30);
    const kept = await blobs.put(truncated, 'image/png', { prompt: 'x' });
    expect(kept).toMatchObject({ mimeType: 'image/png', byteLength: 30 });
    expect(await readObject(`${keyPrefix}${kept.imageId}`)).toEqual(truncated);

    const unknown = await blobs.put(Buffer.from('not an image'), 'text/plain');
    expect(unknown.imageId).toMatch(/\.bin$/);
    const opened = await blobs.open(unknown.imageId);
    expect(opened.mimeType).toBe('application/octet-stream');
    expect((await buffer(opened.stream)).toString()).toBe('not an image');
  });

  it('rejects ids that are not its own before sending any request, and reports missing images', async () => {
    // What the tricks would reach if they were followed: objects outside the prefix.
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'secret.txt', Body: 'secret' }));
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'imagegen/other.png', Body: 'other' }));
    const tricks = [
      '../secret.txt',
      '../../secret.txt',
      '../other.png',
      '/etc/passwd',
      'a/b.png',
      'x.png\0',
      '..',
      '',
      '0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab.png/../../../secret.txt',
      '0B7C2F4E-1A2B-4C3D-8E9F-0123456789AB.png',
      '0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab.exe',
      '.probe-0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab',
      '0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab.png?versionId=1',
    ];
    for (const imageId of tricks) {
      expect(await kindOf(blobs.open(imageId)), imageId).toBe('invalid_id');
      expect(await kindOf(blobs.delete(imageId)), imageId).toBe('invalid_id');
    }
    expect(requestCount).toBe(0);

    expect(await kindOf(blobs.open('00000000-0000-4000-8000-000000000000.png'))).toBe('not_found');
    expect(requestCount).toBe(1);
  });

  it('deletes an image once', async () => {
    const { imageId } = await blobs.put(png, 'image/png');
    expect(await blobs.delete(imageId)).toBe(true);
    expect(await blobs.delete(imageId)).toBe(false);
    expect(await kindOf(blobs.open(imageId))).toBe('not_found');
    expect(await server.listKeys(bucket)).toEqual([]);
  });

  it('checkWritable writes a probe object and removes it', async () => {
    await blobs.checkWritable();
    expect(requestCount).toBe(2);
    expect(await server.listKeys(bucket)).toEqual([]);
  });

  it('stores at the bucket root when the prefix is empty', async () => {
    const atRoot = createS3BlobStore({ client, bucket, keyPrefix: '' });
    const { imageId } = await atRoot.put(png, 'image/png');
    expect(await server.listKeys(bucket)).toEqual([imageId]);
    expect(await buffer((await atRoot.open(imageId)).stream)).toEqual(png);
  });

  it('rejects checkWritable and put when the endpoint does not answer', async () => {
    const closedPort = await freePort();
    const unreachable = new S3Client({ ...s3ClientConfigFromEnv({ ...server.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${closedPort}` }), maxAttempts: 1 });
    const failing = createS3BlobStore({ client: unreachable, bucket, keyPrefix });
    try {
      await expect(failing.checkWritable()).rejects.toThrow(/ECONNREFUSED/);
      await expect(failing.put(png, 'image/png')).rejects.toThrow(/ECONNREFUSED/);
      expect(await kindOf(failing.open('00000000-0000-4000-8000-000000000000.png'))).toBeInstanceOf(Error);
    } finally {
      unreachable.destroy();
    }
  });

  it('says which variable to fix for a missing bucket or refused credentials, without the bucket, key id or secret', async () => {
    const missingBucket = createS3BlobStore({ client, bucket: 'no-such-bucket', keyPrefix });
    const bucketError = await missingBucket.checkWritable().catch((error: unknown) => error);
    expect(isConfigError(bucketError)).toBe(true);
    expect((bucketError as Error).message).toMatch(/BLOB_STORE_URL does not exist \(NoSuchBucket\)/);
    expect((bucketError as Error).message).not.toContain('no-such-bucket');
    // A missing bucket is a configuration error, not a missing image (which would be a 404).
    expect(isConfigError(await missingBucket.open('00000000-0000-4000-8000-000000000000.png').catch((error: unknown) => error))).toBe(true);

    const strangerKeyId = 'AKIASTRANGER0000001';
    const strangerSecret = 'stranger-secret-not-to-be-logged';
    const stranger = new S3Client(s3ClientConfigFromEnv({ ...server.env, AWS_ACCESS_KEY_ID: strangerKeyId, AWS_SECRET_ACCESS_KEY: strangerSecret }));
    try {
      const refused = await createS3BlobStore({ client: stranger, bucket, keyPrefix }).put(png, 'image/png').catch((error: unknown) => error);
      expect(isConfigError(refused)).toBe(true);
      expect((refused as Error).message).toMatch(/S3 refused the request \(InvalidAccessKeyId\): check AWS_ACCESS_KEY_ID/);
      expect(JSON.stringify({ message: (refused as Error).message, ...(refused as object) })).not.toMatch(new RegExp(`${strangerKeyId}|${strangerSecret}`));
      expect((refused as Error).cause).toBeUndefined();
    } finally {
      stranger.destroy();
    }
  });
});

describe('createBlobStoreFromUrl', () => {
  let server: S3TestServer;

  beforeAll(async () => {
    server = await startS3TestServer();
    await server.createBucket('from-url');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('stores under the URL prefix on the endpoint of AWS_ENDPOINT_URL_S3, path-style', async () => {
    const blobs = await createBlobStoreFromUrl('s3://from-url/team-a/images/', server.env);
    try {
      const { imageId } = await blobs.put(Buffer.from([0xff, 0xd8, 0xff, 0x01]), 'image/jpeg');
      expect(await server.listKeys('from-url')).toEqual([`team-a/images/${imageId}`]);
      expect(await blobs.delete(imageId)).toBe(true);
    } finally {
      await blobs.close();
    }
  });

  it('fails at creation, with a ConfigError, when the bucket is missing or the endpoint refuses the credentials', async () => {
    await expect(createBlobStoreFromUrl('s3://not-created/images', server.env)).rejects.toThrow(/BLOB_STORE_URL does not exist/);
    await expect(createBlobStoreFromUrl('s3://from-url', { ...server.env, AWS_ACCESS_KEY_ID: 'SOMEONE' })).rejects.toThrow(
      /check AWS_ACCESS_KEY_ID/,
    );
    await expect(createBlobStoreFromUrl('file:///var/images', server.env)).rejects.toThrow(/must be an s3:\/\/ URL/);
    expect(await server.listKeys('from-url')).toEqual([]);
  });
});

describe('toS3StoreError', () => {
  it('reads a full MinIO disk or a Ceph quota as storage full, so the worker waits for space', () => {
    for (const [name, status] of [
      ['XMinioStorageFull', 507],
      ['QuotaExceeded', 403],
      ['Unknown', 507],
    ] as const) {
      const mapped = toS3StoreError(Object.assign(new Error('full'), { name, $metadata: { httpStatusCode: status } }));
      expect(mapped, name).toBeInstanceOf(S3StorageFullError);
      expect(isStorageFullError(mapped), name).toBe(true);
    }
  });

  it('leaves network errors and server errors as they are', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const internal = Object.assign(new Error('We encountered an internal error'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    expect(toS3StoreError(refused)).toBe(refused);
    expect(toS3StoreError(internal)).toBe(internal);
  });
});

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
