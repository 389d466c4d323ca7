import { describe, expect, it } from 'vitest';
import { s3ClientConfigFromEnv } from './s3-client-config';

const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret' };

describe('s3ClientConfigFromEnv', () => {
  it('AWS itself: virtual-hosted addressing, region and credentials from the variables', () => {
    const config = s3ClientConfigFromEnv({ ...keys, AWS_REGION: 'eu-west-3', AWS_SESSION_TOKEN: 'token' });
    expect(config).toMatchObject({
      region: 'eu-west-3',
      forcePathStyle: false,
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example-secret', sessionToken: 'token' },
    });
    expect(config.endpoint).toBeUndefined();
  });

  it('an S3-compatible endpoint (AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL): path-style and a default region', () => {
    expect(s3ClientConfigFromEnv({ ...keys, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_ENDPOINT_URL: 'http://other:1' })).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      region: 'us-east-1',
    });
    expect(s3ClientConfigFromEnv({ AWS_ENDPOINT_URL: 'https://minio.internal', AWS_DEFAULT_REGION: 'home' })).toMatchObject({
      endpoint: 'https://minio.internal',
      forcePathStyle: true,
      region: 'home',
    });
  });

  it('AWS_S3_FORCE_PATH_STYLE decides either way', () => {
    expect(s3ClientConfigFromEnv({ AWS_S3_FORCE_PATH_STYLE: 'true', AWS_REGION: 'us-east-1' }).forcePathStyle).toBe(true);
    expect(s3ClientConfigFromEnv({ AWS_S3_FORCE_PATH_STYLE: 'FALSE', AWS_ENDPOINT_URL_S3: 'https://r2.example' }).forcePathStyle).toBe(false);
    expect(() => s3ClientConfigFromEnv({ AWS_S3_FORCE_PATH_STYLE: 'yes' })).toThrow('AWS_S3_FORCE_PATH_STYLE must be true or false');
  });

  it('leaves credentials and region to the SDK chain when the variables are not set', () => {
    const config = s3ClientConfigFromEnv({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: ' ' });
    expect(config.credentials).toBeUndefined();
    expect(config.region).toBeUndefined();
  });

  it('refuses an endpoint that is not an http(s) URL or carries credentials, without echoing it', () => {
    expect(() => s3ClientConfigFromEnv({ AWS_ENDPOINT_URL_S3: 'minio:9000' })).toThrow('AWS_ENDPOINT_URL_S3 must be an http:// or https:// URL');
    expect(() => s3ClientConfigFromEnv({ AWS_ENDPOINT_URL: 'not a url' })).toThrow('AWS_ENDPOINT_URL must be an http:// or https:// URL');
    expect(() => s3ClientConfigFromEnv({ AWS_ENDPOINT_URL_S3: 'http://user:hunter2@minio:9000' })).toThrow(/must not carry credentials/);
  });
});
