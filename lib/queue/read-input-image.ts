import { supportedInputMimeTypes, type InputImage, type InputMimeType } from '@/lib/core';
import { readBlob, type BlobStore, type ImageRef } from '@/lib/store';

/** Loads a batch's stored input image (image-to-image) back into memory for the provider. */
export async function readInputImage(blobs: BlobStore, ref: ImageRef): Promise<InputImage> {
  const { bytes, mimeType: storedType } = await readBlob(blobs, ref.imageId);
  const mimeType = supportedInputMimeTypes.find((type) => type === storedType);
  if (!mimeType) throw new Error(`The stored input image has an unsupported type ${storedType}`);
  return { bytes, mimeType: mimeType satisfies InputMimeType };
}
