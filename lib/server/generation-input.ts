import { z } from 'zod';
import { aspectRatios, providerIds, type AspectRatio, type InputImage, type ProviderId } from '@/lib/core';
import { InputError, type InputField } from './input-error';
import { maxInputImageBytes, readInputImage } from './input-image';

/** A validated request to generate a batch; what the routes hand to the server library. */
export interface GenerationInput {
  prompt: string;
  numberOfImages: number;
  aspectRatio?: AspectRatio;
  providerId?: ProviderId;
  inputImage?: InputImage;
}

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

export const aspectRatioSchema = z.enum(aspectRatios, { error: `Aspect ratio must be one of ${aspectRatios.join(', ')}.` }).optional();
export const providerSchema = z.enum(providerIds, { error: `Provider must be one of ${providerIds.join(', ')}.` }).optional();

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

const textFieldsSchema = z.object({
  prompt: promptSchema,
  numberOfImages: numberOfImagesSchema,
  aspectRatio: aspectRatioSchema,
  provider: providerSchema,
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
  const knownField = typeof field === 'string' && ['prompt', 'prompts', 'numberOfImages', 'aspectRatio', 'provider', 'image'].includes(field)
    ? (field as InputField)
    : 'body';
  throw new InputError(issue.message, { field: knownField });
}

export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new InputError('Request body is not valid JSON.', { field: 'body' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError('Request body must be a JSON object like {"prompt": "...", "numberOfImages": 2}.', { field: 'body' });
  }
  return body as Record<string, unknown>;
}

function toGenerationInput(fields: z.output<typeof textFieldsSchema>, inputImage?: InputImage): GenerationInput {
  return {
    prompt: fields.prompt,
    numberOfImages: fields.numberOfImages,
    ...(fields.aspectRatio ? { aspectRatio: fields.aspectRatio } : {}),
    ...(fields.provider ? { providerId: fields.provider } : {}),
    ...(inputImage ? { inputImage } : {}),
  };
}

export function isMediaType(request: Request, mediaType: string): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith(mediaType);
}

/** `POST /api/generate`: JSON `{ prompt, numberOfImages?, aspectRatio?, provider? }`. */
export async function parseTextToImageRequest(request: Request): Promise<GenerationInput> {
  if (!isMediaType(request, 'application/json')) {
    throw new InputError('Send a JSON body with Content-Type: application/json.', { field: 'body' });
  }
  const body = await readJsonBody(request);
  return toGenerationInput(parseOrThrow(textFieldsSchema, body));
}

/**
 * `POST /api/generate-with-image`: multipart form (`prompt`, `numberOfImages`, file `image`) or
 * JSON `{ prompt, numberOfImages, image: { data: base64, mimeType } }`.
 */
export async function parseImageToImageRequest(request: Request): Promise<GenerationInput> {
  assertRequestSizeFitsAnImage(request);
  if (isMediaType(request, 'multipart/form-data')) return parseMultipart(request);
  if (isMediaType(request, 'application/json')) return parseJsonWithImage(request);
  throw new InputError('Send multipart/form-data (prompt, numberOfImages, image file) or application/json.', {
    field: 'body',
  });
}

/** Refuses, from its declared length, a request too large to carry a 10 MB image and its fields. */
export function assertRequestSizeFitsAnImage(request: Request): void {
  const declaredLength = Number(request.headers.get('content-length') ?? 0);
  // base64 in JSON is 4/3 of the bytes; leave room for the other fields.
  if (declaredLength > Math.ceil(maxInputImageBytes * 1.4) + 64 * 1024) {
    throw new InputError('The request is too large: the image limit is 10 MB.', { field: 'image' });
  }
}

export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new InputError('The multipart form could not be read.', { field: 'body' });
  }
}

/** A non-empty text field of a form, or undefined. */
export function formText(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The uploaded file of the form's `image` field, checked to be a real PNG, JPEG or WebP of at most 10 MB. */
export async function readFormImage(form: FormData): Promise<InputImage> {
  const file = form.get('image');
  if (!(file instanceof File) || file.size === 0) {
    throw new InputError('Attach an image file in the "image" field (PNG, JPEG or WebP, up to 10 MB).', { field: 'image' });
  }
  if (file.size > maxInputImageBytes) {
    throw new InputError(`The uploaded image is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is 10 MB.`, { field: 'image' });
  }
  return readInputImage(new Uint8Array(await file.arrayBuffer()));
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
    aspectRatio: textValue('aspectRatio'),
    provider: textValue('provider'),
  });
  return toGenerationInput(fields, await readFormImage(form));
}

async function parseJsonWithImage(request: Request): Promise<GenerationInput> {
  const body = await readJsonBody(request);
  const fields = parseOrThrow(textFieldsSchema, body);
  if (body.image === undefined) {
    throw new InputError('Add an image: { "image": { "data": "<base64>", "mimeType": "image/png" } }.', { field: 'image' });
  }
  return toGenerationInput(fields, await readJsonImage(body.image));
}
