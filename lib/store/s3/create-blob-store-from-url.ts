import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '@/lib/core';
import type { BlobStore } from '../blob-store';
import { isStorageFullError } from '../storage-full';
import { createS3BlobStore } from './s3-blob-store';
import { s3ClientConfigFromEnv } from './s3-client-config';
import { parseS3Url } from './s3-location';

/** A blob store that holds connections: `close()` releases them. */
export interface ClosableBlobStore extends BlobStore {
  close(): Promise<void>;
}

/**
 * The blob store `BLOB_STORE_URL` names: `s3://bucket/prefix` → images on S3-compatible storage,
 * the client set up from the `AWS_*` variables in `env` (see `s3ClientConfigFromEnv`).
 *
 * Writes and deletes a probe object before it resolves, so that a missing bucket, wrong
 * credentials or a wrong region fail at start with a `ConfigError` saying what to fix, not at the
 * first image. A full store does not stop the start: existing images can still be served, and the
 * worker waits for space as it does for a full disk.
 */
export async function createBlobStoreFromUrl(url: string, env: Record<string, string | undefined> = process.env): Promise<ClosableBlobStore> {
  if (!url.startsWith('s3://')) {
    throw new ConfigError('BLOB_STORE_URL must be an s3:// URL (s3://bucket/prefix); leave it unset to keep images under DATA_DIR');
  }
  const location = parseS3Url(url);
  const client = new S3Client(s3ClientConfigFromEnv(env));
  const blobs = createS3BlobStore({ client, ...location });
  try {
    await blobs.checkWritable();
  } catch (error) {
    if (!isStorageFullError(error)) {
      client.destroy();
      throw error;
    }
  }
  return { ...blobs, close: async () => client.destroy() };
}
