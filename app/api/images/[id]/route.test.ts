import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getRequest, routeContext, useBatchTestApp } from '@/lib/server/testing/batch-test-helpers';
import { GET, HEAD } from './route';

afterEach(() => vi.unstubAllEnvs());

const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWP4z8DwH4QZYAwAR8oH+Xm0fdIAAAAASUVORK5CYII=',
  'base64',
);

const fetchImage = (id: string) => GET(getRequest(`/api/images/${encodeURIComponent(id)}`), routeContext(id));

describe('GET /api/images/:id', () => {
  it('answers 304 to a client that has the image (If-None-Match), and HEAD with the headers alone', async () => {
    const { runtime } = await useBatchTestApp();
    const image = await (await runtime()).store.blobs.put(tinyPng, 'image/png');
    const cached = await GET(getRequest(`/api/images/${image.imageId}`, { 'if-none-match': `W/"x", "${image.imageId}"` }), routeContext(image.imageId));
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(`"${image.imageId}"`);
    expect(await cached.text()).toBe('');
    const stale = await GET(getRequest(`/api/images/${image.imageId}`, { 'if-none-match': '"something-else"' }), routeContext(image.imageId));
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();

    const head = await HEAD(new Request(`http://127.0.0.1/api/images/${image.imageId}`, { method: 'HEAD' }), routeContext(image.imageId));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(tinyPng.length));
    expect(head.body).toBeNull();
  });

  it('streams the stored bytes with their type and a long, immutable cache', async () => {
    const { runtime } = await useBatchTestApp();
    const image = await (await runtime()).store.blobs.put(tinyPng, 'image/png');
    const response = await fetchImage(image.imageId);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-length')).toBe(String(tinyPng.length));
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer()).equals(tinyPng)).toBe(true);
  });

  it('serves a JPEG as image/jpeg', async () => {
    const { runtime } = await useBatchTestApp();
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    const image = await (await runtime()).store.blobs.put(jpeg, 'image/jpeg');
    expect(image.imageId).toMatch(/\.jpg$/);
    expect((await fetchImage(image.imageId)).headers.get('content-type')).toBe('image/jpeg');
  });

  it('404 for a well-formed id that names no image', async () => {
    await useBatchTestApp();
    const response = await fetchImage('0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab.png');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'No such image' });
  });

  it.each([
    '..%2F..%2Fetc%2Fpasswd',
    '../../etc/passwd',
    '..',
    'a/b',
    'image\0.png',
    '/etc/passwd',
    '0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab.png/../../x',
    '0B7C2F4E-1A2B-4C3D-8E9F-0123456789AB.png',
    '0b7c2f4e-1a2b-4c3d-8e9f-0123456789ab.exe',
    'imagegen.sqlite',
    '',
  ])('400 for %j, which is not an image id, without touching the file system', async (id) => {
    const { dataDirectory } = await useBatchTestApp();
    // A file the trick would reach if it were followed.
    await writeFile(join(dataDirectory, 'secret.txt'), 'secret');
    const response = await fetchImage(id);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'Not an image id' });
  });
});
