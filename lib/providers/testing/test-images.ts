/**
 * Tiny, real, decodable images for adapter tests and fake servers (made with sharp, embedded so
 * that a fake can answer synchronously).
 */

/** A valid 2x2 opaque red PNG, base64. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWP4z8DwH4QZYAwAR8oH+Xm0fdIAAAAASUVORK5CYII=';

/** A valid 2x2 blue JPEG, base64. */
export const TINY_JPEG_BASE64 =
  '/9j/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAACAAIDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAj/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABQj/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCewFIh3//Z';

/** The bytes of {@link TINY_PNG_BASE64} (a fresh copy per call, so tests cannot alter each other's). */
export function tinyPng(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(TINY_PNG_BASE64, 'base64'));
}

/** The bytes of {@link TINY_JPEG_BASE64} (a fresh copy per call). */
export function tinyJpeg(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(TINY_JPEG_BASE64, 'base64'));
}
