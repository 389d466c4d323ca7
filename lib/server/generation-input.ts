import { z } from 'zod';
import type { InputImage } from '@/lib/core';
import { InputError, type InputField } from './input-error';
import { readInputImage } from './input-image';
import { readLimitedBody } from './request-body';
import { maxImageRequestBytes, maxInputImageBytes, maxTextRequestBytes } from './request-limits';
import {
  formOptionValues,
  requestOptionFields,
  requestOptionShape,
  toRequestedGeneration,
  type RequestedGeneration,
} from './request-options';

/** A validated request to generate a batch; what the routes hand to the server library. */
export interface GenerationInput {
  prompt: string;
  numberOfImages: number;
  /** Provider, model, image options and cost cap (checked against the model later). */
  requested: RequestedGeneration;
  /** Present for image-to-image: one or more. */
  inputImages?: InputImage[];
}

/** Most input images one request carries (the most any model takes: GPT Image's 16). */
export const maxInputImagesPerRequest = 16;

export const maxPromptCharacters = 4_000;
export const maxImagesPerRequest = 4;

export const promptSchema = z
  .string({ error: 'Prompt is required.' })
  .trim()
  .min(1, 'Prompt is required: describe the image you want.')
  .refine((prompt) => prompt.length <= maxPromptCharacters, {
    error: (issue) =>
      `Prompt is too long (${String(issue.input).length} characters); the limit is ${maxPromptCharacters}.`,
  });

/** `numberOfImages` (a number, or digits in a form field) from 1 to `maximum`; 1 when absent. */
export function numberOfImagesSchemaUpTo(maximum: number, tooManyMessage = `Number of images must be from 1 to ${maximum}.`) {
  const wholeNumberMessage = `Number of images must be a whole number from 1 to ${maximum}.`;
  return z
    .union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)], { error: wholeNumberMessage })
    .pipe(z.number().int(wholeNumberMessage).min(1, wholeNumberMessage).max(maximum, tooManyMessage))
    .default(1);
}

const numberOfImagesSchema = numberOfImagesSchemaUpTo(
  maxImagesPerRequest,
  `Number of images must be from 1 to ${maxImagesPerRequest}; larger batches run in the background.`,
);

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

const textFieldsSchema = z.object({
  prompt: promptSchema,
  numberOfImages: numberOfImagesSchema,
  ...requestOptionShape,
});

const jsonImageSchema = z.object(
  {
    data: z.string({ error: 'image.data must be a base64 string.' }).min(1, 'image.data is empty.'),
    mimeType: z.string().optional(),
  },
  { error: 'image must be an object { data: base64, mimeType }.' },
);

/** Parses with zod; the first issue becomes a 400 InputError naming its field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path[0];
  const knownField = field === 'images' ? 'image' : typeof field === 'string' && [...fieldNames, ...requestOptionFields].includes(field)
    ? (field as InputField)
    : 'body';
  throw new InputError(issue.message, { field: knownField });
}

export async function readJsonBody(request: Request, maxBytes = maxImageRequestBytes): Promise<Record<string, unknown>> {
  const bytes = await readLimitedBody(request, maxBytes);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new InputError('Request body is not valid JSON.', { field: 'body' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError('Request body must be a JSON object like {"prompt": "...", "numberOfImages": 2}.', { field: 'body' });
  }
  return body as Record<string, unknown>;
}

const fieldNames = ['prompt', 'prompts', 'numberOfImages', 'image', 'images', 'webhookUrl'];

function toGenerationInput(fields: z.output<typeof textFieldsSchema>, inputImages?: InputImage[]): GenerationInput {
  return {
    prompt: fields.prompt,
    numberOfImages: fields.numberOfImages,
    requested: toRequestedGeneration(fields),
    ...(inputImages && inputImages.length > 0 ? { inputImages } : {}),
  };
}

export function isMediaType(request: Request, mediaType: string): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith(mediaType);
}

/** `POST /api/generate`: JSON `{ prompt, numberOfImages?, provider?, model?, aspectRatio?, size?, quality?, outputFormat?, background?, maxCostUsd? }`. */
export async function parseTextToImageRequest(request: Request): Promise<GenerationInput> {
  if (!isMediaType(request, 'application/json')) {
    throw new InputError('Send a JSON body with Content-Type: application/json.', { field: 'body' });
  }
  const body = await readJsonBody(request, maxTextRequestBytes);
  return toGenerationInput(parseOrThrow(textFieldsSchema, body));
}

/**
 * `POST /api/generate-with-image`: multipart form (`prompt`, `numberOfImages`, the option fields,
 * one or more files `image`) or JSON `{ prompt, numberOfImages, image: { data: base64, mimeType } }`
 * (or `images: [...]` for several).
 */
export async function parseImageToImageRequest(request: Request): Promise<GenerationInput> {
  assertRequestSizeFitsAnImage(request);
  if (isMediaType(request, 'multipart/form-data')) return parseMultipart(request);
  if (isMediaType(request, 'application/json')) return parseJsonWithImage(request);
  throw new InputError('Send multipart/form-data (prompt, numberOfImages, image file) or application/json.', {
    field: 'body',
  });
}

/** Refuses, from its declared length, a request too large to carry its images and fields. */
export function assertRequestSizeFitsAnImage(request: Request): void {
  const declaredLength = Number(request.headers.get('content-length') ?? 0);
  if (declaredLength > maxImageRequestBytes) {
    const megabytes = Math.floor(maxImageRequestBytes / 1024 / 1024);
    // 413 like the same limit found while reading (request-body.ts), not 400: the README promises it.
    throw new InputError(`The request is too large: at most ${megabytes} MB of images in one request, 10 MB each.`, { field: 'image', status: 413 });
  }
}

export async function readForm(request: Request): Promise<FormData> {
  const bytes = await readLimitedBody(request, maxImageRequestBytes);
  try {
    return await new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData();
  } catch {
    throw new InputError('The multipart form could not be read.', { field: 'body' });
  }
}

/** A non-empty text field of a form, or undefined. */
export function formText(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The files of the form's `image` fields (repeat it for several; `image[]` too), each a real PNG, JPEG or WebP of at most 10 MB. */
export async function readFormImages(form: FormData): Promise<InputImage[]> {
  // A form's empty file input still sends an empty, unnamed file: that is "no image".
  const files = [...form.getAll('image'), ...form.getAll('image[]')].filter(
    (file): file is File => file instanceof File && (file.size > 0 || file.name !== ''),
  );
  if (files.length === 0) {
    throw new InputError('Attach an image file in the "image" field (PNG, JPEG or WebP, up to 10 MB).', { field: 'image' });
  }
  if (files.length > maxInputImagesPerRequest) {
    throw new InputError(`Attach at most ${maxInputImagesPerRequest} images; this request has ${files.length}.`, { field: 'image' });
  }
  const images: InputImage[] = [];
  for (const file of files) {
    if (file.size > maxInputImageBytes) {
      throw new InputError(`The uploaded image is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is 10 MB.`, { field: 'image' });
    }
    images.push(await readInputImage(new Uint8Array(await file.arrayBuffer())));
  }
  return images;
}

/** True when the form carries at least one image file. */
export function formHasImage(form: FormData): boolean {
  return [...form.getAll('image'), ...form.getAll('image[]')].some((file) => file instanceof File && (file.size > 0 || file.name !== ''));
}

/** A JSON body's `image: {…}` or `images: [{…}, …]`, each decoded and checked like an upload; [] when neither is there. */
export async function readJsonImages(body: Record<string, unknown>): Promise<InputImage[]> {
  const hasOne = body.image !== undefined && body.image !== null;
  const hasMany = body.images !== undefined && body.images !== null;
  if (hasOne && hasMany) throw new InputError('Send either image or images, not both.', { field: 'image' });
  if (hasOne) return [await readJsonImage(body.image)];
  if (!hasMany) return [];
  if (!Array.isArray(body.images) || body.images.length === 0) {
    throw new InputError('images must be a non-empty array of { data: base64, mimeType }.', { field: 'image' });
  }
  if (body.images.length > maxInputImagesPerRequest) {
    throw new InputError(`Attach at most ${maxInputImagesPerRequest} images; this request has ${body.images.length}.`, { field: 'image' });
  }
  const images: InputImage[] = [];
  for (const value of body.images) images.push(await readJsonImage(value));
  return images;
}

/** A JSON body's `image: { data: base64, mimeType }`, decoded and checked like an upload. */
export async function readJsonImage(value: unknown): Promise<InputImage> {
  const image = parseOrThrow(z.object({ image: jsonImageSchema }), { image: value }).image;
  const data = image.data.replace(/^data:[^;,]+;base64,/, '').replace(/\s+/g, '');
  if (!base64Pattern.test(data)) {
    throw new InputError('image.data is not valid base64.', { field: 'image' });
  }
  return readInputImage(new Uint8Array(Buffer.from(data, 'base64')));
}

async function parseMultipart(request: Request): Promise<GenerationInput> {
  const form = await readForm(request);
  const textValue = (name: string) => formText(form, name);
  const fields = parseOrThrow(textFieldsSchema, {
    prompt: textValue('prompt') ?? '',
    numberOfImages: textValue('numberOfImages'),
    ...formOptionValues(form),
  });
  return toGenerationInput(fields, await readFormImages(form));
}

async function parseJsonWithImage(request: Request): Promise<GenerationInput> {
  const body = await readJsonBody(request);
  const fields = parseOrThrow(textFieldsSchema, body);
  const images = await readJsonImages(body);
  if (images.length === 0) {
    throw new InputError('Add an image: { "image": { "data": "<base64>", "mimeType": "image/png" } }.', { field: 'image' });
  }
  return toGenerationInput(fields, images);
}
