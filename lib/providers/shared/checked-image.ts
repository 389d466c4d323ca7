import { detectImageMimeType, ProviderError, type ImageData } from '@/lib/core';

/**
 * The image a provider answered, checked by its first bytes: an answer that does not decode to a
 * PNG, JPEG, WebP, GIF or AVIF is a failure, never a saved "image". The MIME type is what the bytes
 * are, whatever the provider said. `transient`: another sample usually comes back whole.
 */
export function checkedImage(bytes: Uint8Array, providerLabel: string): ImageData {
  if (bytes.byteLength === 0) throw new ProviderError('transient', `${providerLabel} returned an empty image`);
  const mimeType = detectImageMimeType(bytes);
  if (!mimeType) {
    throw new ProviderError('transient', `${providerLabel} returned data that is not an image`, {
      details: `${bytes.byteLength} bytes that are not PNG, JPEG, WebP, GIF or AVIF`,
    });
  }
  return { bytes, mimeType };
}
