import { describe, expect, it } from 'vitest';
import { describeStorage, formatBytes } from './format';

describe('the gallery’s disk use', () => {
  it('says batches, images and bytes, in words', () => {
    expect(describeStorage({ batchCount: 12, imageCount: 48, imageBytes: 23.4 * 1024 * 1024 })).toBe('12 batches · 48 images · 23.4 MB');
    expect(describeStorage({ batchCount: 1, imageCount: 1, imageBytes: 2048 })).toBe('1 batch · 1 image · 2 KB');
    expect(describeStorage({ batchCount: 0, imageCount: 0, imageBytes: 0 })).toBe('0 batches · 0 images · 0 B');
    expect(describeStorage({ batchCount: 1200, imageCount: 5, imageBytes: 1, retentionDays: 30 })).toBe('1,200 batches · 5 images · 1 B · kept 30 days');
  });

  it('formats bytes up to gigabytes', () => {
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB');
  });
});
