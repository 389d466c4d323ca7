import { detectImageMimeType } from '@/lib/core';
import type { ImageTextMetadata } from './blob-store';
import { normalizeMimeType } from './image-id';
import { PngFormatError, withPngTextChunks } from './png/png-text-chunks';

/**
 * The bytes a blob store writes for an image, and their type: the type sniffed from the bytes wins
 * over the declared one, and a PNG carries the text metadata. Shared by every blob store, so an
 * image reads the same from files or from S3.
 */
export function toStoredImage(
  bytes: Uint8Array,
  declaredMimeType: string,
  metadata?: ImageTextMetadata,
): { bytes: Uint8Array; mimeType: string } {
  const mimeType = detectImageMimeType(bytes) ?? normalizeMimeType(declaredMimeType);
  return { bytes: mimeType === 'image/png' && metadata ? embedText(bytes, metadata) : bytes, mimeType };
}

/** Embeds the text chunks; a PNG too malformed to edit is kept exactly as received rather than lost. */
function embedText(png: Uint8Array, metadata: ImageTextMetadata): Uint8Array {
  const entries = Object.entries(metadata).map(([keyword, text]) => ({ keyword, text }));
  if (entries.length === 0) return png;
  try {
    return withPngTextChunks(png, entries);
  } catch (error) {
    if (error instanceof PngFormatError) return png;
    throw error;
  }
}
