import { describe, expect, it } from 'vitest';
import { outputFileName, slugOf } from './output-file-name';

describe('outputFileName', () => {
  it('pads the index to sort in batch order (at least 3 digits, more for larger batches) and takes the extension from the type', () => {
    expect(outputFileName(1, 8, 'a lighthouse at dusk', 'image/png')).toBe('001-a-lighthouse-at-dusk.png');
    expect(outputFileName(12, 1000, 'x', 'image/jpeg')).toBe('0012-x.jpg');
    expect(outputFileName(3, 3, 'x', 'image/webp')).toBe('003-x.webp');
  });

  it('makes any prompt a safe, short name', () => {
    expect(slugOf('Crème brûlée, à la "carte"!')).toBe('creme-brulee-a-la-carte');
    expect(slugOf('../../etc/passwd')).toBe('etc-passwd');
    expect(slugOf('日本の城')).toBe('image');
    expect(slugOf('word '.repeat(40)).length).toBeLessThanOrEqual(60);
    expect(slugOf('word '.repeat(40))).not.toMatch(/-$/);
  });
});
