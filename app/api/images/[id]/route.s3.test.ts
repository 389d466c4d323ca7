import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BatchView } from '@/lib/server';
import { getRequest, readJson, routeContext, useBatchTestApp, waitForBatchEnd } from '@/lib/server/testing/batch-test-helpers';
import { jsonRequest } from '@/lib/server/testing/route-test-helpers';
import { readPngTextChunks } from '@/lib/store';
import { startS3TestServer, type S3TestServer } from '@/lib/store/s3/testing/s3-test-server';
import { DELETE as deleteBatch } from '../../batches/[id]/route';
import { POST as createBatch } from '../../batches/route';
import { GET } from './route';

/** The app with BLOB_STORE_URL on a real S3-compatible server (s3rver, 127.0.0.1): the worker writes there, the route streams from there. */
describe('GET /api/images/:id with BLOB_STORE_URL=s3://…', () => {
  let server: S3TestServer;
  const bucket = 'app-images';
  const prefix = 'imagegen/';

  beforeAll(async () => {
    server = await startS3TestServer();
    await server.createBucket(bucket);
  });

  afterAll(async () => {
    await server?.stop();
  });

  afterEach(() => vi.unstubAllEnvs());

  it('stores each image of a batch as one object in the bucket and serves its bytes from there', async () => {
    const { runtime, dataDirectory } = await useBatchTestApp({ BLOB_STORE_URL: `s3://${bucket}/${prefix}`, ...server.env });
    const created = await readJson<BatchView>(await createBatch(jsonRequest('/api/batches', { prompt: 'a lighthouse on S3', numberOfImages: 3 })));
    await waitForBatchEnd(await runtime(), created.id);
    const batch = (await (await runtime()).store.batches.getBatch(created.id))!;
    expect(batch).toMatchObject({ status: 'completed', succeeded: 3 });
    const imageIds = batch.items.map((item) => item.image!.imageId);

    expect(await server.listKeys(bucket)).toEqual(imageIds.map((imageId) => `${prefix}${imageId}`).sort());
    expect(existsSync(join(dataDirectory, 'images'))).toBe(false);
    for (const imageId of imageIds) {
      const response = await GET(getRequest(`/api/images/${imageId}`), routeContext(imageId));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      const served = Buffer.from(await response.arrayBuffer());
      const object = await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${imageId}` }));
      expect(object.ContentType).toBe('image/png');
      expect(served.equals(Buffer.from(await object.Body!.transformToByteArray()))).toBe(true);
      expect(response.headers.get('content-length')).toBe(String(served.length));
      expect(readPngTextChunks(served)).toContainEqual({ keyword: 'prompt', text: 'a lighthouse on S3' });
    }

    // The bytes come from the bucket, not from a copy: remove the object and the image is gone.
    await server.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}${imageIds[0]}` }));
    const gone = await GET(getRequest(`/api/images/${imageIds[0]}`), routeContext(imageIds[0]!));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'No such image' });

    // Deleting the batch deletes its objects.
    const deleted = await deleteBatch(new Request(`http://127.0.0.1/api/batches/${created.id}`, { method: 'DELETE' }), routeContext(created.id));
    expect(deleted.status).toBe(204);
    expect(await server.listKeys(bucket)).toEqual([]);
  });

  it('a bucket that does not exist: the API says which variable to fix, without the bucket or a key', async () => {
    await useBatchTestApp({ BLOB_STORE_URL: 's3://no-such-bucket/imagegen', ...server.env });
    const response = await createBatch(jsonRequest('/api/batches', { prompt: 'nowhere to go', numberOfImages: 1 }));
    expect(response.status).toBe(500);
    const body = await readJson<{ error: string }>(response);
    expect(body.error).toMatch(/bucket named in BLOB_STORE_URL does not exist/);
    expect(body.error).not.toContain('no-such-bucket');
    expect(JSON.stringify(body)).not.toContain(server.env.AWS_SECRET_ACCESS_KEY);
  });
});
