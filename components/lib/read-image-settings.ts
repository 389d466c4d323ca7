import { parseEmbeddedParameters, readPngText, type EmbeddedParameters } from '@/lib/core/embedded-parameters';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import { fillFromEmbeddedParameters, type ComposerFill } from './composer-fill';
import type { ChosenModel, OptionValues } from './model-options';

/**
 * The generation settings a dropped or pasted file carries in its PNG text chunks, or undefined
 * (not a PNG, or no settings in a known layout). Loaded only when a file arrives (a dynamic import).
 */
export async function readImageSettings(file: File): Promise<EmbeddedParameters | undefined> {
  if (file.type !== 'image/png') return undefined;
  const parameters = parseEmbeddedParameters(await readPngText(new Uint8Array(await file.arrayBuffer())));
  return parameters && parameters.prompt !== '' ? parameters : undefined;
}

/** A file's settings fitted to the composer (see `fillFromEmbeddedParameters`), or undefined when it carries none. */
export async function readComposerFill(file: File, catalog: ProvidersCatalog, chosen: ChosenModel, options: OptionValues): Promise<ComposerFill | undefined> {
  const parameters = await readImageSettings(file);
  return parameters ? fillFromEmbeddedParameters(parameters, catalog, chosen, options) : undefined;
}
