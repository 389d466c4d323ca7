/** Images on S3-compatible storage (`BLOB_STORE_URL=s3://bucket/prefix`). */
export { createBlobStoreFromUrl, type ClosableBlobStore } from './create-blob-store-from-url';
export { createS3BlobStore, type S3BlobStoreOptions } from './s3-blob-store';
export { s3ClientConfigFromEnv } from './s3-client-config';
export { parseS3Url, type S3Location } from './s3-location';
export { S3StorageFullError } from './s3-errors';
