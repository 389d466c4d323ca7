import { z } from 'zod';
import type { InputImage } from '@/lib/core';
import { maxImagesPerBatch } from '@/lib/core/batch-limits';
import { assertRequestSizeFitsAnImage, isMediaType, promptSchema, readForm, readFormImages, readJsonBody } from '../generation-input';
import { maxTextRequestBytes } from '../request-limits';
import { OpenAICompatError } from './openai-error';
import type { OpenAIImageParams } from './openai-image-options';

/** A validated `POST /v1/images/generations` or `/v1/images/edits`. */
export interface OpenAIImagesRequest {
  prompt: string;
  /** Images to make: the batch's size. */
  n: number;
  /** As the client spelled it (see `resolveOpenAIModel`); absent: the server's default. */
  model?: string;
  params: OpenAIImageParams;
  responseFormat: 'b64_json' | 'url';
  /** Edits only: the images to edit. */
  inputImages?: InputImage[];
}

const text = (param: string) => z.string({ error: `'${param}' must be a string.` });

/**
 * The parameters this server honours, plus the ones it accepts only at their default (so a client
 * that always sends `stream: false` or `moderation: "auto"` works). Anything else is refused by
 * name, as OpenAI refuses an unknown parameter, rather than silently ignored.
 */
const paramsSchema = z.object({
  prompt: promptSchema,
  model: text('model').trim().min(1, "'model' is empty.").max(300).optional(),
  n: z.coerce
    .number({ error: `'n' must be a whole number from 1 to ${maxImagesPerBatch}.` })
    .int(`'n' must be a whole number from 1 to ${maxImagesPerBatch}.`)
    .min(1, `'n' must be at least 1.`)
    .max(maxImagesPerBatch, `'n' is at most ${maxImagesPerBatch} here (one batch).`)
    .default(1),
  size: text('size').optional(),
  quality: text('quality').optional(),
  output_format: text('output_format').optional(),
  background: z.enum(['transparent', 'opaque', 'auto'], { error: "'background' must be transparent, opaque or auto." }).optional(),
  response_format: z.enum(['b64_json', 'url'], { error: "'response_format' must be b64_json or url." }).default('b64_json'),
  // Who the end user is, for OpenAI's abuse monitoring: nothing to monitor here, so accepted and unused.
  user: text('user').optional(),
  safety_identifier: text('safety_identifier').optional(),
  moderation: z.literal('auto', { error: "'moderation' can only be auto here." }).optional(),
  stream: z.union([z.literal(false), z.literal('false')], { error: "'stream' is not supported here: the answer comes when every image is made." }).optional(),
  partial_images: z.union([z.literal(0), z.literal('0')], { error: "'partial_images' is not supported here." }).optional(),
});

type ParamName = keyof z.infer<typeof paramsSchema>;
const knownParams = new Set<string>(Object.keys(paramsSchema.shape));

/** `POST /v1/images/generations`: a JSON body as the SDK's `ImageGenerateParams`. */
export async function parseGenerationRequest(request: Request): Promise<OpenAIImagesRequest> {
  if (!isMediaType(request, 'application/json')) throw invalid("Send a JSON body (Content-Type: application/json).", null);
  return toImagesRequest(await readJsonBody(request, maxTextRequestBytes));
}

/**
 * `POST /v1/images/edits`: multipart as the SDK's `ImageEditParams`: one or more files `image`
 * (or `image[]`). A `mask` is refused: no model here takes one, and editing the whole image
 * instead of the masked part would be a quiet surprise.
 */
export async function parseEditRequest(request: Request): Promise<OpenAIImagesRequest> {
  assertRequestSizeFitsAnImage(request);
  if (!isMediaType(request, 'multipart/form-data')) throw invalid('Send a multipart form (Content-Type: multipart/form-data) with the image file(s).', null);
  const form = await readForm(request);
  if (form.has('mask')) throw invalid('A mask is not supported by the models of this server; send the image without mask.', 'mask');
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form.entries()) {
    if (name === 'image' || name === 'image[]') continue;
    if (typeof value !== 'string') throw invalid(`'${name}' must be a text field, not a file.`, name);
    fields[name] = value;
  }
  const parsed = toImagesRequest(fields);
  return { ...parsed, inputImages: await readFormImages(form) };
}

function toImagesRequest(body: Record<string, unknown>): OpenAIImagesRequest {
  // null means "not set" in OpenAI's API (the SDK's types allow it for every optional parameter).
  const present = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null && value !== ''));
  const unknown = Object.keys(present).find((name) => !knownParams.has(name));
  if (unknown !== undefined) throw invalid(`Unknown or unsupported parameter: '${unknown}'.`, unknown, 'unknown_parameter');
  const parsed = paramsSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.message, String(issue.path[0] ?? '') || null, 'invalid_value');
  }
  const { prompt, model, n, size, quality, output_format, background, response_format } = parsed.data;
  const params: OpenAIImageParams = {
    ...(size === undefined ? {} : { size }),
    ...(quality === undefined ? {} : { quality }),
    ...(output_format === undefined ? {} : { output_format }),
    ...(background === undefined ? {} : { background }),
  };
  return { prompt, n, params, responseFormat: response_format, ...(model === undefined ? {} : { model }) };
}

function invalid(message: string, param: ParamName | string | null, code: string | null = null): OpenAICompatError {
  return new OpenAICompatError(400, message, { param, code });
}
