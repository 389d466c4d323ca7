import { ConfigError } from '@/lib/core';

/** Where the images live in S3: one object per image, at `<keyPrefix><imageId>` in `bucket`. */
export interface S3Location {
  bucket: string;
  /** `''` (the bucket's root) or a path ending in `/`, e.g. `imagegen/images/`. */
  keyPrefix: string;
}

/** S3's bucket naming rules (3–63 characters: lowercase letters, digits, dots, hyphens), which MinIO, Ceph and R2 share. */
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const usage = 'BLOB_STORE_URL must look like s3://bucket or s3://bucket/prefix';

/**
 * Reads `BLOB_STORE_URL`: `s3://bucket/prefix` → the bucket and the key prefix. A `ConfigError`
 * names the variable and what is wrong, never echoing the value (it might hold a secret someone
 * pasted into it); credentials come from the `AWS_*` variables, never from the URL.
 */
export function parseS3Url(url: string): S3Location {
  // Read by hand rather than with `URL`, which would resolve `a/../b` to `b` without a word.
  const scheme = 's3://';
  if (!url.startsWith(scheme)) throw new ConfigError(`${usage} (leave it unset to keep images under DATA_DIR)`);
  const rest = url.slice(scheme.length);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (authority.includes('@')) {
    throw new ConfigError('BLOB_STORE_URL must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead');
  }
  if (/[:?#]/.test(authority) || /[?#]/.test(path)) {
    throw new ConfigError(`${usage}; the endpoint comes from AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL)`);
  }
  if (!bucketPattern.test(authority)) {
    throw new ConfigError('BLOB_STORE_URL names no valid bucket: 3 to 63 lowercase letters, digits, dots or hyphens');
  }
  let segments: string[];
  try {
    segments = path
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    throw new ConfigError(usage);
  }
  if (segments.some((segment) => segment === '.' || segment === '..' || /[\0-\x1f\\/]/.test(segment))) {
    throw new ConfigError(`${usage}, with no "." or ".." in the prefix`);
  }
  return { bucket: authority, keyPrefix: segments.length === 0 ? '' : `${segments.join('/')}/` };
}
