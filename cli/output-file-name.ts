const longestSlugCharacters = 60;

const extensionByMimeType: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/**
 * The file an image is written to: its 1-based index, zero-padded so that files sort in batch
 * order, and its prompt made safe for any file system, e.g. `001-a-lighthouse-at-dusk.png`.
 */
export function outputFileName(index: number, total: number, prompt: string, mimeType: string): string {
  const digits = Math.max(3, String(total).length);
  const extension = extensionByMimeType[mimeType] ?? 'bin';
  return `${String(index).padStart(digits, '0')}-${slugOf(prompt)}.${extension}`;
}

/** Lower-case ASCII words joined by `-`, accents dropped; `image` when nothing is left. */
export function slugOf(prompt: string): string {
  const slug = prompt
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, longestSlugCharacters)
    .replace(/-+$/, '');
  return slug === '' ? 'image' : slug;
}

