import { ConfigError } from '@/lib/core';

/** What the AWS SDK's errors carry: the S3 error code as `name` (and `Code`), the HTTP status in `$metadata`. */
interface S3ErrorLike {
  name?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The S3 error code, or for a body-less answer (HEAD) the HTTP status as text. */
export function s3ErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, Code } = error as S3ErrorLike;
  if (typeof Code === 'string') return Code;
  return typeof name === 'string' ? name : undefined;
}

export function s3HttpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as S3ErrorLike).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** No such object: `NoSuchKey` from GET, a bare 404 from HEAD; a missing bucket is not a missing image. */
export function isMissingObject(error: unknown): boolean {
  const code = s3ErrorCode(error);
  if (code === 'NoSuchBucket') return false;
  return code === 'NoSuchKey' || code === 'NotFound' || s3HttpStatus(error) === 404;
}

const credentialCodes = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'AccountProblem',
  'CredentialsProviderError',
]);
const wrongRegionCodes = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'MovedPermanently']);
/** MinIO's full disks and Ceph RGW's bucket or user quota. */
const storageFullCodes = new Set(['XMinioStorageFull', 'QuotaExceeded']);

/**
 * A full or over-quota S3 store. Its `code` is the file system's "quota exceeded", which is what it
 * is: `isStorageFullError` recognises it, so the worker pauses new items and rechecks with
 * `checkWritable`, as it does for a full disk.
 */
export class S3StorageFullError extends Error {
  readonly code = 'EDQUOT';

  constructor(s3Code: string) {
    super(`The S3 bucket in BLOB_STORE_URL takes no more writes (${s3Code}): free space or raise its quota`);
    this.name = 'S3StorageFullError';
  }
}

/**
 * Turns the errors that mean "this server is configured wrong" into a `ConfigError` that says
 * which variable to fix, and a full store into an `S3StorageFullError`. The message names the
 * variables and S3's error code, never the bucket, the key id or anything from the request (the
 * SDK's error carries the access key id and the string it signed: it is dropped, not kept as the
 * cause). Anything else (a network error, a 5xx after the SDK's retries) is returned unchanged.
 */
export function toS3StoreError(error: unknown): unknown {
  const code = s3ErrorCode(error);
  const status = s3HttpStatus(error);
  if (code === 'NoSuchBucket') {
    return new ConfigError('The bucket named in BLOB_STORE_URL does not exist (NoSuchBucket): create it, or fix BLOB_STORE_URL');
  }
  if (code !== undefined && storageFullCodes.has(code)) return new S3StorageFullError(code);
  if (status === 507) return new S3StorageFullError('507 Insufficient Storage');
  if ((code !== undefined && credentialCodes.has(code)) || status === 403) {
    return new ConfigError(
      `S3 refused the request (${code ?? status}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), ` +
        'and that they may list, read, write and delete objects in the bucket of BLOB_STORE_URL',
    );
  }
  if ((code !== undefined && wrongRegionCodes.has(code)) || status === 301) {
    return new ConfigError(`The bucket in BLOB_STORE_URL is in another region (${code ?? status}): set AWS_REGION to its region`);
  }
  if (error instanceof Error && /region is missing/i.test(error.message)) {
    return new ConfigError('S3 needs a region: set AWS_REGION (any value, e.g. us-east-1, for most S3-compatible servers)');
  }
  return error;
}
