import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from './usage-error';

/** The options of `imagegen` that become the batch request (the rest say where and how to run it). */
export interface BatchRequestOptions {
  /** The positional prompt, if any. */
  prompt?: string;
  /** `-p`, repeated. */
  prompts: string[];
  promptsFile?: string;
  /** Images per prompt (`-n`), as typed: the API's validation checks it. */
  count?: string;
  /** `--image`, repeated: paths of input images (image-to-image). */
  images: string[];
  provider?: string;
  model?: string;
  aspect?: string;
  size?: string;
  quality?: string;
  format?: string;
  background?: string;
  maxCost?: string;
  /** The diffusion controls, as typed (the API checks them against the model). */
  negativePrompt?: string;
  seed?: string;
  steps?: string;
  cfgScale?: string;
  sampler?: string;
  denoisingStrength?: string;
}

/**
 * The batch request as the multipart form `POST /api/batches` takes: the same body whether it is
 * sent to a server (`--server`) or parsed in this process by the API's own `parseBatchRequest`,
 * so the command accepts exactly what the API accepts, with the same messages.
 */
export async function toBatchRequestForm(options: BatchRequestOptions): Promise<FormData> {
  const prompts = await collectPrompts(options);
  const form = new FormData();
  if (prompts.length === 1) form.set('prompt', prompts[0]!);
  for (const prompt of prompts.length > 1 ? prompts : []) form.append('prompts', prompt);
  const fields: [string, string | undefined][] = [
    ['numberOfImages', options.count],
    ['provider', options.provider],
    ['model', options.model],
    ['aspectRatio', options.aspect],
    ['size', options.size],
    ['quality', options.quality],
    ['outputFormat', options.format],
    ['background', options.background],
    ['maxCostUsd', options.maxCost],
    ['negativePrompt', options.negativePrompt],
    ['seed', options.seed],
    ['steps', options.steps],
    ['cfgScale', options.cfgScale],
    ['sampler', options.sampler],
    ['denoisingStrength', options.denoisingStrength],
  ];
  for (const [name, value] of fields) if (value !== undefined) form.set(name, value);
  for (const path of options.images) form.append('image', new File([new Uint8Array(await readInputFile(path, '--image'))], basename(path)));
  return form;
}

/** The form as the Request the API's parser reads. */
export function toBatchRequest(form: FormData): Request {
  return new Request('http://imagegen.local/api/batches', { method: 'POST', body: form });
}

/** In order: the positional prompt, each `-p`, then the prompts file's lines. */
async function collectPrompts(options: BatchRequestOptions): Promise<string[]> {
  const prompts = [...(options.prompt === undefined ? [] : [options.prompt]), ...options.prompts];
  if (options.promptsFile !== undefined) {
    const text = (await readInputFile(options.promptsFile, '--prompts-file')).toString('utf8');
    const fromFile = parsePromptsFile(text);
    if (fromFile.length === 0) throw new UsageError(`--prompts-file ${options.promptsFile} has no prompts: write one prompt per line (lines starting with # are comments).`);
    prompts.push(...fromFile);
  }
  if (prompts.length === 0) {
    throw new UsageError('Say what to draw: imagegen "a lighthouse at dusk", or -p "…" (repeatable), or --prompts-file prompts.txt.');
  }
  return prompts;
}

/** One prompt per line; blank lines and lines starting with `#` are skipped. */
export function parsePromptsFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

async function readInputFile(path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UsageError(`${option} ${path}: cannot read it (${reason}).`);
  }
}
