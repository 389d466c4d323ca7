import { supportedInputMimeTypes, type InputImage, type InputMimeType } from '@/lib/core';
import type { BlobStore, ImageRef } from '@/lib/store';

/** Loads a batch's stored input image (image-to-image) back into memory for the provider. */
export async function readInputImage(blobs: BlobStore, ref: ImageRef): Promise<InputImage> {
  const opened = await blobs.open(ref.imageId);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
  const mimeType = supportedInputMimeTypes.find((type) => type === opened.mimeType);
  if (!mimeType) throw new Error(`The stored input image has an unsupported type ${opened.mimeType}`);
  return { bytes: new Uint8Array(Buffer.concat(chunks)), mimeType: mimeType satisfies InputMimeType };
}
