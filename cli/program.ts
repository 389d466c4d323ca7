import { Command, Option } from 'commander';
import { aspectRatios, imageBackgrounds, imageQualities, imageSizePresets, outputFormats } from '@/lib/core';
import { maxImagesPerBatch } from '@/lib/core/batch-limits';
import type { BatchRequestOptions } from './batch-request';
import { exitCodes } from './exit-codes';

/** What the parsed command line asks for. */
export type Invocation =
  | { command: 'generate'; request: BatchRequestOptions; run: RunOptions }
  | { command: 'resume'; batchId: string; run: RunOptions };

export interface RunOptions {
  outDirectory: string;
  isJson: boolean;
  /** `--server`, else IMAGEGEN_SERVER; undefined: run here. */
  serverUrl?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const examples = `
Examples:
  $ imagegen "a lighthouse at dusk" -n 8 --out ./images
  $ imagegen -p "a red fox" -p "a blue whale" -n 2 --aspect 16:9 --format webp
  $ imagegen --prompts-file prompts.txt --provider openai --model gpt-image-2 --quality high
  $ imagegen "make it a watercolor" --image photo.png --image style.jpg
  $ imagegen "a lighthouse" -n 4 --json > result.json
  $ imagegen resume 01JD6F4T3Q8ZB9K2 --out ./images
  $ IMAGEGEN_SERVER=http://127.0.0.1:3000 IMAGEGEN_TOKEN=… imagegen "a lighthouse" -n 8

Files: each image is written to --out as <index>-<prompt>.<ext>, e.g. 001-a-lighthouse-at-dusk.png,
as soon as it is made. Progress goes to stderr: a bar with ETA on a terminal, one plain line per
image, retry and failure otherwise. Ctrl-C cancels the batch (calls in flight are aborted, images
made are kept) and prints the command that continues it.

Exit codes:
  ${exitCodes.allSucceeded}    every image was made
  ${exitCodes.someFailed}    some images failed (the others are saved)
  ${exitCodes.noneSucceeded}    no image was made, or an error stopped the command
  ${exitCodes.usage}   bad usage: an option, argument, input file or environment variable to fix
  ${exitCodes.interrupted}  interrupted with Ctrl-C (the batch is canceled; resume it)

Environment:
  IMAGEGEN_SERVER      a running server to send batches to (like --server)
  IMAGEGEN_TOKEN       the API token sent as "Authorization: Bearer" to a server with accounts
  Without a server the batch runs in this process with the server's configuration:
  DATA_DIR (default ./data: batches show in the web gallery), IMAGE_PROVIDER, GEMINI_API_KEY,
  OPENAI_API_KEY, *_BASE_URL, *_MODELS, PACING_*, RETRY_*, PROVIDER_TIMEOUT_MS, DEMO_* (see the
  README's Configuration). While a server runs on the same DATA_DIR, use --server instead.
`;

/**
 * The `imagegen` command line. Resolves the invocation; commander itself prints --help and
 * --version and exits, and usage errors go through `exitOverride` (see imagegen.ts).
 */
export function createProgram(env: Record<string, string | undefined>, onInvocation: (invocation: Invocation) => Promise<void>): Command {
  const program = new Command('imagegen')
    .description('Generate a batch of images with the batch engine (here, or on a server with --server), each saved to a file as soon as it exists.')
    .version('0.1.0')
    // Options after `resume` are resume's own (both take --out, --json, --server).
    .enablePositionalOptions()
    .argument('[prompt]', 'what to draw (or use -p / --prompts-file)')
    .addOption(new Option('-n, --count <number>', `images per prompt (at most ${maxImagesPerBatch} in all)`).default('1'))
    .option('-p, --prompt <text>', 'a prompt; repeat for several (each makes --count images)', collect, [])
    .option('--prompts-file <path>', 'one prompt per line; blank lines and lines starting with # are skipped')
    .option('--image <path>', 'an input image (PNG, JPEG or WebP, up to 10 MB) for image-to-image; repeat for several', collect, [])
    .option('--provider <id>', 'gemini, openai, openrouter, a1111, comfyui or demo (default: IMAGE_PROVIDER, else the first configured, else demo)')
    .option('--model <id>', "one of the provider's models (default: its first)")
    .addOption(new Option('--aspect <ratio>', 'aspect ratio').choices([...aspectRatios]))
    .addOption(new Option('--size <size>', `${imageSizePresets.join(', ')} or WIDTHxHEIGHT`))
    .addOption(new Option('--quality <quality>', 'quality (models that take it)').choices([...imageQualities]))
    .addOption(new Option('--format <format>', 'output format').choices([...outputFormats]))
    .addOption(new Option('--background <background>', 'background (transparent needs png or webp)').choices([...imageBackgrounds]))
    .option('--negative-prompt <text>', 'what the image should not show (models that take it, e.g. a1111)')
    .option('--seed <number>', 'seed of the first image; image N gets seed + N - 1 (models that take it)')
    .option('--steps <number>', 'sampling steps (models that take it)')
    .option('--cfg-scale <number>', 'guidance scale: how closely to follow the prompt (models that take it)')
    .option('--sampler <name>', "one of the model's samplers (models that take it)")
    .option('--denoising-strength <number>', 'image-to-image: 0 keeps the input, 1 replaces it (models that take it)')
    .option('--max-cost <usd>', 'stop before the batch spends more than this many US dollars')
    .option('-o, --out <dir>', 'where the images are written', '.')
    .option('--json', 'print the classic API body on stdout, with file paths instead of base64')
    .option('--server <url>', 'send the batch to this running server (default: IMAGEGEN_SERVER; none: run here)')
    .addHelpText('after', examples)
    .showHelpAfterError('(imagegen --help lists every option)')
    .action(async (prompt: string | undefined, options: Record<string, unknown>) => {
      await onInvocation({
        command: 'generate',
        request: {
          ...(prompt === undefined ? {} : { prompt }),
          prompts: options.prompt as string[],
          images: options.image as string[],
          count: options.count as string,
          ...pickStrings(options, ['promptsFile', 'provider', 'model', 'aspect', 'size', 'quality', 'format', 'background', 'maxCost', 'negativePrompt', 'seed', 'steps', 'cfgScale', 'sampler', 'denoisingStrength']),
        },
        run: runOptionsOf(options, env),
      });
    });

  program
    .command('resume')
    .description('continue a batch: run its failed and canceled images again and write every image not written yet')
    .argument('<batch-id>', 'the id printed when the batch started or was canceled')
    .option('-o, --out <dir>', 'where the images are written', '.')
    .option('--json', 'print the classic API body on stdout, with file paths instead of base64')
    .option('--server <url>', 'the server the batch ran on (default: IMAGEGEN_SERVER; none: this DATA_DIR)')
    .action(async (batchId: string, options: Record<string, unknown>) => {
      await onInvocation({ command: 'resume', batchId, run: runOptionsOf(options, env) });
    });
  return program;
}

function runOptionsOf(options: Record<string, unknown>, env: Record<string, string | undefined>): RunOptions {
  const serverUrl = (options.server as string | undefined) ?? (env.IMAGEGEN_SERVER || undefined);
  return { outDirectory: options.out as string, isJson: options.json === true, ...(serverUrl === undefined ? {} : { serverUrl }) };
}

function pickStrings<Key extends string>(options: Record<string, unknown>, keys: Key[]): Partial<Record<Key, string>> {
  return Object.fromEntries(keys.filter((key) => typeof options[key] === 'string').map((key) => [key, options[key]])) as Partial<Record<Key, string>>;
}

