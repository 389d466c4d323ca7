import { describe, expect, it } from 'vitest';
import { detectImageMimeType } from '@/lib/core';
import { createImageId, normalizeMimeType, parseImageId } from './image-id';
import { isStoreError } from './store-error';

describe('image ids', () => {
  it('are random UUIDs with the extension of their type, and parse back to it', () => {
    const id = createImageId('image/png');
    expect(id).toMatch(/^[0-9a-f-]{36}\.png$/);
    expect(createImageId('image/png')).not.toBe(id);
    expect(parseImageId(id)).toEqual({ imageId: id, mimeType: 'image/png' });
    expect(parseImageId(createImageId('image/jpeg')).mimeType).toBe('image/jpeg');
    expect(parseImageId(createImageId('application/octet-stream')).mimeType).toBe('application/octet-stream');
  });

  it('reject anything else, path tricks first', () => {
    const valid = createImageId('image/webp');
    const attempts: unknown[] = [
      '../imagegen.sqlite',
      `../${valid}`,
      `images/${valid}`,
      `/${valid}`,
      `/etc/passwd`,
      `${valid}\0.png`,
      `${valid}/`,
      `..\\${valid}`,
      valid.toUpperCase(),
      valid.replace('.webp', '.exe'),
      valid.replace('.webp', ''),
      ` ${valid}`,
      `.tmp-${valid}`,
      '',
      undefined,
      42,
    ];
    for (const attempt of attempts) {
      let error: unknown;
      try {
        parseImageId(attempt);
      } catch (caught) {
        error = caught;
      }
      expect(isStoreError(error) && error.kind, String(attempt)).toBe('invalid_id');
    }
  });

  it('normalize declared types and keep unknown ones as binary', () => {
    expect(normalizeMimeType('Image/PNG; charset=binary')).toBe('image/png');
    expect(normalizeMimeType('image/svg+xml')).toBe('application/octet-stream');
  });
});

describe('detectImageMimeType', () => {
  it('recognises formats by their first bytes', () => {
    const bytes = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));
    expect(detectImageMimeType(bytes([0x89], 'PNG\r\n\x1a\n'))).toBe('image/png');
    expect(detectImageMimeType(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(detectImageMimeType(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('image/webp');
    expect(detectImageMimeType(bytes('GIF89a'))).toBe('image/gif');
    expect(detectImageMimeType(bytes([0, 0, 0, 0x1c], 'ftypavif'))).toBe('image/avif');
    expect(detectImageMimeType(bytes('hello'))).toBeUndefined();
    expect(detectImageMimeType(new Uint8Array())).toBeUndefined();
  });
});
