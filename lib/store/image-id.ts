import { randomUUID } from 'node:crypto';
import { StoreError } from './store-error';

/** File extension per stored type; anything else is kept as `.bin` so no returned image is ever refused. */
export const extensionByMimeType: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};
const unknownMimeType = 'application/octet-stream';
const mimeTypeByExtension: ReadonlyMap<string, string> = new Map([
  ...Object.entries(extensionByMimeType).map(([mimeType, extension]) => [extension, mimeType] as const),
  ['bin', unknownMimeType],
]);

/** A random UUID (lowercase, version 4) and one known extension: nothing else, so no path can hide in an id. */
const imageIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.([a-z]+)$/;

/** `image/PNG; charset=x` → `image/png`; unknown types → `application/octet-stream`. */
export function normalizeMimeType(mimeType: string): string {
  const essence = mimeType.split(';')[0]!.trim().toLowerCase();
  return essence in extensionByMimeType ? essence : unknownMimeType;
}

/** A new, unguessable id for an image of this (normalized) type. */
export function createImageId(mimeType: string): string {
  return `${randomUUID()}.${extensionByMimeType[mimeType] ?? 'bin'}`;
}

/**
 * Checks that `imageId` is exactly an id `createImageId` could have made, before it comes near a
 * file path, and answers the stored type. Anything else (`../`, slashes, NUL, absolute paths,
 * other names) rejects with a `StoreError` of kind `invalid_id`.
 */
export function parseImageId(imageId: unknown): { imageId: string; mimeType: string } {
  const match = typeof imageId === 'string' ? imageIdPattern.exec(imageId) : null;
  const mimeType = match ? mimeTypeByExtension.get(match[1]!) : undefined;
  if (!match || !mimeType) throw new StoreError('invalid_id', 'Not an image id');
  return { imageId: match[0], mimeType };
}
