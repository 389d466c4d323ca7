import { aspectRatios, type AspectRatio } from './image';

/**
 * The generation settings an image carries in its PNG text chunks, as the composer reads them from a
 * dropped file: images from this app and AUTOMATIC1111 (`parameters`: "<prompt>\nNegative prompt:
 * …\nSteps: 20, Seed: 1, Size: 512x768, …") and from ComfyUI (`prompt`: its API graph as JSON).
 */
export interface EmbeddedParameters {
  source: 'imagegen' | 'automatic1111' | 'comfyui';
  prompt: string;
  negativePrompt?: string;
  providerId?: string;
  modelId?: string;
  /** When the size is one of the ratios the composer offers. */
  aspectRatio?: AspectRatio;
  /** `WIDTHxHEIGHT`. */
  size?: string;
  seed?: string;
  /** Every other setting as written, for display. */
  settings: Record<string, string>;
}

export interface PngText {
  keyword: string;
  text: string;
}

/** The settings in these text chunks, or undefined when none is in a known layout. */
export function parseEmbeddedParameters(entries: readonly PngText[]): EmbeddedParameters | undefined {
  const byKeyword = new Map(entries.map((entry) => [entry.keyword, entry.text]));
  const parameters = byKeyword.get('parameters');
  if (parameters !== undefined && parameters.trim() !== '') return parseAutomatic1111(parameters);
  const comfyGraph = byKeyword.get('prompt');
  if (comfyGraph !== undefined) return parseComfyGraph(comfyGraph);
  return undefined;
}

/** AUTOMATIC1111's layout (this app writes the same, with Provider and Model among the settings). */
export function parseAutomatic1111(text: string): EmbeddedParameters {
  const lines = text.trim().split(/\r?\n/);
  const last = lines.at(-1) ?? '';
  const settings = lines.length > 1 && /^\s*\w[\w \-/]*: /.test(last) ? parseSettingsLine(last) : undefined;
  const body = settings ? lines.slice(0, -1) : lines;
  const negativeStart = body.findIndex((line) => line.startsWith('Negative prompt:'));
  const prompt = (negativeStart === -1 ? body : body.slice(0, negativeStart)).join('\n').trim();
  const negativePrompt = negativeStart === -1 ? undefined : body.slice(negativeStart).join('\n').slice('Negative prompt:'.length).trim();
  const all = settings ?? {};
  const { Provider: providerId, Model: model, Size: size, Seed: seed, ...rest } = all;
  const isOurs = providerId !== undefined;
  return {
    source: isOurs ? 'imagegen' : 'automatic1111',
    prompt,
    ...(negativePrompt ? { negativePrompt } : {}),
    ...(isOurs ? { providerId } : {}),
    ...(model !== undefined ? { modelId: model } : {}),
    ...sizeFields(size, isOurs ? all['Aspect ratio'] : undefined),
    ...(seed !== undefined ? { seed } : {}),
    settings: rest,
  };
}

/**
 * "Steps: 20, Sampler: DPM++ 2M Karras, Lora hashes: "a: 1, b: 2"" → entries; values with commas
 * are JSON-quoted, as AUTOMATIC1111 writes them (the pattern is its `re_param`).
 */
function parseSettingsLine(line: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const match of line.matchAll(/\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g)) {
    const [, key, raw] = match;
    settings[key!.trim()] = unquote(raw!.trim());
  }
  return settings;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return String(JSON.parse(value));
  } catch {
    return value;
  }
}

type ComfyNode = { class_type?: unknown; inputs?: Record<string, unknown> };
type ComfyGraph = Record<string, ComfyNode>;

/** ComfyUI's API graph: the sampler's positive and negative text, seed, size and checkpoint. */
export function parseComfyGraph(json: string): EmbeddedParameters | undefined {
  let graph: ComfyGraph;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    graph = parsed as ComfyGraph;
  } catch {
    return undefined;
  }
  const sampler = Object.values(graph).find((node) => typeof node.class_type === 'string' && /Sampler/.test(node.class_type) && node.inputs?.positive);
  if (!sampler?.inputs) return undefined;
  const prompt = textOf(graph, sampler.inputs.positive);
  if (prompt === undefined) return undefined;
  const negativePrompt = textOf(graph, sampler.inputs.negative);
  const latent = linked(graph, sampler.inputs.latent_image)?.inputs;
  const checkpoint = Object.values(graph).find((node) => typeof node.inputs?.ckpt_name === 'string')?.inputs?.ckpt_name as string | undefined;
  const seed = sampler.inputs.seed ?? sampler.inputs.noise_seed;
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(sampler.inputs)) {
    if (typeof value === 'string' || typeof value === 'number') settings[key] = String(value);
  }
  delete settings.seed;
  delete settings.noise_seed;
  const size = typeof latent?.width === 'number' && typeof latent?.height === 'number' ? `${latent.width}x${latent.height}` : undefined;
  return {
    source: 'comfyui',
    prompt,
    ...(negativePrompt ? { negativePrompt } : {}),
    ...(checkpoint ? { modelId: checkpoint } : {}),
    ...sizeFields(size, undefined),
    ...(typeof seed === 'number' || typeof seed === 'string' ? { seed: String(seed) } : {}),
    settings,
  };
}

/** The node an input links to (`["6", 0]`). */
function linked(graph: ComfyGraph, input: unknown): ComfyNode | undefined {
  return Array.isArray(input) && typeof input[0] === 'string' ? graph[input[0]] : undefined;
}

/** The text of the encoder an input links to, following one level of linked text (a primitive node). */
function textOf(graph: ComfyGraph, input: unknown): string | undefined {
  const node = linked(graph, input);
  const text = node?.inputs?.text ?? node?.inputs?.text_g;
  if (typeof text === 'string') return text.trim();
  const source = linked(graph, text)?.inputs;
  const value = source?.value ?? source?.text ?? source?.string;
  return typeof value === 'string' ? value.trim() : undefined;
}

/** The size as written, and the composer's aspect ratio when it is one of them (as written, or from the size). */
function sizeFields(size: string | undefined, aspectRatioText: string | undefined): { size?: string; aspectRatio?: AspectRatio } {
  const fields: { size?: string; aspectRatio?: AspectRatio } = {};
  const match = size === undefined ? null : /^(\d+)x(\d+)$/.exec(size.trim());
  if (match) fields.size = `${match[1]}x${match[2]}`;
  if (aspectRatioText !== undefined && (aspectRatios as readonly string[]).includes(aspectRatioText)) {
    fields.aspectRatio = aspectRatioText as AspectRatio;
  } else if (match) {
    const ratio = Number(match[1]) / Number(match[2]);
    const nearest = aspectRatios.find((candidate) => {
      const [width, height] = candidate.split(':').map(Number);
      return Math.abs(width! / height! - ratio) < 0.01;
    });
    if (nearest) fields.aspectRatio = nearest;
  }
  return fields;
}

/**
 * The text chunks of a PNG (tEXt, zTXt, iTXt), in the browser or in Node: compressed text is
 * inflated with the platform's DecompressionStream. Resolves [] for anything that is not a PNG.
 */
export async function readPngText(bytes: Uint8Array): Promise<PngText[]> {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || signature.some((byte, index) => bytes[index] !== byte)) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8');
  const entries: PngText[] = [];
  for (let offset = 8; offset + 12 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = latin1.decode(bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (data.length < length || type === 'IEND') break;
    offset += 12 + length;
    if (type !== 'tEXt' && type !== 'zTXt' && type !== 'iTXt') continue;
    const keywordEnd = data.indexOf(0);
    if (keywordEnd <= 0) continue;
    const keyword = latin1.decode(data.subarray(0, keywordEnd));
    try {
      if (type === 'tEXt') entries.push({ keyword, text: latin1.decode(data.subarray(keywordEnd + 1)) });
      else if (type === 'zTXt') entries.push({ keyword, text: latin1.decode(await inflate(data.subarray(keywordEnd + 2))) });
      else {
        const isCompressed = data[keywordEnd + 1] === 1;
        const languageEnd = data.indexOf(0, keywordEnd + 3);
        const translatedEnd = languageEnd === -1 ? -1 : data.indexOf(0, languageEnd + 1);
        if (translatedEnd === -1) continue;
        const text = data.subarray(translatedEnd + 1);
        entries.push({ keyword, text: utf8.decode(isCompressed ? await inflate(text) : text) });
      }
    } catch {
      // A damaged chunk is skipped; the others may still hold the settings.
    }
  }
  return entries;
}

async function inflate(compressed: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([compressed as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
