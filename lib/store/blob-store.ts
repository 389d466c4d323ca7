import type { Readable } from 'node:stream';

/** Where a stored image's bytes live: what a blob store returns and an item records. */
export interface ImageRef {
  /** Random, e.g. `0b7c…e1.png`; the only name under which the bytes can be read. */
  imageId: string;
  /** The type of the stored bytes, e.g. `image/png` (sniffed from the bytes when recognisable). */
  mimeType: string;
  byteLength: number;
}

/**
 * Text embedded in the stored image, keyword → text. PNG outputs carry each entry as a text chunk
 * (tEXt, or iTXt when the text is not Latin-1), like AUTOMATIC1111's `parameters`; other formats
 * are stored unchanged.
 */
export type ImageTextMetadata = Readonly<Record<string, string>>;

export interface OpenedImage extends ImageRef {
  /** The bytes, read from storage as they are consumed; destroy it to stop early. */
  stream: Readable;
}

/**
 * Image bytes, by id. An implementation keeps bytes outside the metadata database (never base64
 * in a table) and makes them durable before `put` resolves.
 */
export interface BlobStore {
  /**
   * Stores an image. When the promise resolves the bytes are durable (written, flushed and
   * visible under their final id), so the caller may then record the item as succeeded.
   */
  put(bytes: Uint8Array, mimeType: string, metadata?: ImageTextMetadata): Promise<ImageRef>;
  /**
   * Opens an image for streaming. Rejects with a `StoreError`: `invalid_id` for anything that is
   * not an id this store issues (path tricks included), `not_found` when there is no such image.
   */
  open(imageId: string): Promise<OpenedImage>;
  /** Removes an image; resolves false when there was none. Rejects `invalid_id` like `open`. */
  delete(imageId: string): Promise<boolean>;
  /** Resolves when a write can succeed now (after a full disk, say); rejects with the write's error otherwise. */
  checkWritable(): Promise<void>;
}
