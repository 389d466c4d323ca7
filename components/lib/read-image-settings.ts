import { parseEmbeddedParameters, readPngText, type EmbeddedParameters } from '@/lib/core/embedded-parameters';

/**
 * The generation settings a dropped or pasted file carries in its PNG text chunks, or undefined
 * (not a PNG, or no settings in a known layout). Loaded only when a file arrives (a dynamic import).
 */
export async function readImageSettings(file: File): Promise<EmbeddedParameters | undefined> {
  if (file.type !== 'image/png') return undefined;
  const parameters = parseEmbeddedParameters(await readPngText(new Uint8Array(await file.arrayBuffer())));
  return parameters && parameters.prompt !== '' ? parameters : undefined;
}
