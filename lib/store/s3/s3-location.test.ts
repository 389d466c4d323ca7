import { describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/core';
import { parseS3Url } from './s3-location';

describe('parseS3Url', () => {
  it.each([
    ['s3://images', { bucket: 'images', keyPrefix: '' }],
    ['s3://images/', { bucket: 'images', keyPrefix: '' }],
    ['s3://images/imagegen', { bucket: 'images', keyPrefix: 'imagegen/' }],
    ['s3://my.images-1/team/a/', { bucket: 'my.images-1', keyPrefix: 'team/a/' }],
    ['s3://images//double//slashes', { bucket: 'images', keyPrefix: 'double/slashes/' }],
    ['s3://images/with%20space', { bucket: 'images', keyPrefix: 'with space/' }],
  ])('%s', (url, location) => {
    expect(parseS3Url(url)).toEqual(location);
  });

  it.each([
    ['not a url', /must look like s3:\/\/bucket/],
    ['https://images/prefix', /must look like s3:\/\/bucket/],
    ['s3://AKIA123:secret@images/prefix', /must not carry credentials/],
    ['s3://images:9000/prefix', /AWS_ENDPOINT_URL_S3/],
    ['s3://images/prefix?region=eu', /AWS_ENDPOINT_URL_S3/],
    ['s3://Images/prefix', /no valid bucket/],
    ['s3://ab/prefix', /no valid bucket/],
    ['s3:///prefix', /no valid bucket/],
    ['s3://images/a/../b', /no "\." or "\.\."/],
    ['s3://images/a/%2E%2E/b', /no "\." or "\.\."/],
    ['s3://images/%ZZ', /must look like/],
  ])('refuses %s, naming the variable and not the value', (url, message) => {
    let thrown: unknown;
    try {
      parseS3Url(url);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).name).toBe('ConfigError');
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toMatch(/BLOB_STORE_URL/);
    expect((thrown as Error).message).not.toMatch(/secret|AKIA123/);
  });
});

describe('BLOB_STORE_URL in the server configuration', () => {
  it('is optional, and refused at start when it is not an s3:// URL, naming the variable and not the value', () => {
    expect(loadConfig({}).BLOB_STORE_URL).toBeUndefined();
    expect(loadConfig({ BLOB_STORE_URL: ' s3://images/imagegen ' }).BLOB_STORE_URL).toBe('s3://images/imagegen');
    expect(() => loadConfig({ BLOB_STORE_URL: 'https://private-host/images' })).toThrow(/BLOB_STORE_URL: must be s3:\/\/bucket/);
    expect(() => loadConfig({ BLOB_STORE_URL: 'https://private-host/images' })).not.toThrow(/private-host/);
  });
});
