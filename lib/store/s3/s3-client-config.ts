import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { ConfigError } from '@/lib/core';

type Env = Record<string, string | undefined>;

/** Gives up on an S3 server that accepts no connection in this long (then the SDK retries). */
const connectionTimeoutMs = 10_000;
/** Gives up on a request whose answer has not started in this long: a hung server must not hold an item forever. */
const requestTimeoutMs = 60_000;

/**
 * The S3 client's settings from the standard `AWS_*` variables, read from `env` (the server's
 * environment) so that what a test or the server passes is what is used:
 * - `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`: an S3-compatible server (MinIO, Ceph RGW, R2, …);
 *   unset means AWS itself.
 * - `AWS_S3_FORCE_PATH_STYLE`: `true` or `false`. @default `true` when an endpoint is set (MinIO and
 *   Ceph serve `http://host/bucket/key`, not `http://bucket.host/key`), else `false`
 * - `AWS_REGION` (or `AWS_DEFAULT_REGION`). @default `us-east-1` with an endpoint (most
 *   S3-compatible servers ignore it but SigV4 needs one); without one the SDK's own chain (profile)
 * - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`: when both key variables are
 *   set; otherwise the SDK's default chain (profile, SSO, container or instance role) finds them.
 * Checksums follow the SDK's own `AWS_REQUEST_CHECKSUM_CALCULATION` (set it to `WHEN_REQUIRED` for a
 * server that rejects the SDK's default CRC32 checksums).
 */
export function s3ClientConfigFromEnv(env: Env): S3ClientConfig {
  const endpoint = readEndpoint(env, 'AWS_ENDPOINT_URL_S3') ?? readEndpoint(env, 'AWS_ENDPOINT_URL');
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? (endpoint ? 'us-east-1' : undefined);
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    forcePathStyle: readForcePathStyle(env) ?? endpoint !== undefined,
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

function readEndpoint(env: Env, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must be an http:// or https:// URL`);
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`${name} must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead`);
  }
  return value;
}

function readForcePathStyle(env: Env): boolean | undefined {
  const value = nonEmpty(env.AWS_S3_FORCE_PATH_STYLE)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError('AWS_S3_FORCE_PATH_STYLE must be true or false');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}
