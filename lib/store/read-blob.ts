import type { BlobStore } from './blob-store';

/** A stored image's bytes, read whole into memory (for a provider's input, or a classic JSON body). */
export async function readBlob(blobs: BlobStore, imageId: string): Promise<{ bytes: Uint8Array; mimeType: string }> {
  const opened = await blobs.open(imageId);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return { bytes: new Uint8Array(Buffer.concat(chunks)), mimeType: opened.mimeType };
}
