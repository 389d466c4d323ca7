import { z } from 'zod';
import type { AspectRatio, InputImage, ProviderId } from '@/lib/core';
import {
  aspectRatioSchema,
  assertRequestSizeFitsAnImage,
  formText,
  isMediaType,
  numberOfImagesSchemaUpTo,
  parseOrThrow,
  promptSchema,
  providerSchema,
  readForm,
  readFormImage,
  readJsonBody,
  readJsonImage,
} from './generation-input';
import { InputError } from './input-error';

/** A validated request for a background batch (`POST /api/batches`). */
export interface BatchInput {
  /** In order; each prompt makes `numberOfImages` items (prompt 1's images first). */
  prompts: string[];
  /** Images per prompt. */
  numberOfImages: number;
  aspectRatio?: AspectRatio;
  providerId?: ProviderId;
  /** Present for image-to-image. */
  inputImage?: InputImage;
}

/** Most images one batch makes, all prompts together. */
export const maxImagesPerBatch = 100;

const fieldsSchema = z.object({
  prompt: z.unknown().optional(),
  prompts: z.unknown().optional(),
  numberOfImages: numberOfImagesSchemaUpTo(maxImagesPerBatch),
  aspectRatio: aspectRatioSchema,
  provider: providerSchema,
});

/**
 * `POST /api/batches`: JSON `{ prompt | prompts, numberOfImages?, aspectRatio?, provider?, image? }`
 * (`image` as `{ data: base64, mimeType }`), or multipart with the same fields (`prompts` repeated,
 * `image` a file). With an image the batch is image-to-image. `numberOfImages` is per prompt, 1 to
 * 100, and the batch as a whole makes at most 100 images.
 */
export async function parseBatchRequest(request: Request): Promise<BatchInput> {
  assertRequestSizeFitsAnImage(request);
  if (isMediaType(request, 'application/json')) {
    const body = await readJsonBody(request);
    const input = toBatchInput(body);
    return body.image === undefined || body.image === null ? input : { ...input, inputImage: await readJsonImage(body.image) };
  }
  if (isMediaType(request, 'multipart/form-data')) {
    const form = await readForm(request);
    const prompts = form.getAll('prompts').filter((value): value is string => typeof value === 'string');
    const input = toBatchInput({
      prompt: formText(form, 'prompt'),
      prompts: prompts.length > 0 ? prompts : undefined,
      numberOfImages: formText(form, 'numberOfImages'),
      aspectRatio: formText(form, 'aspectRatio'),
      provider: formText(form, 'provider'),
    });
    const file = form.get('image');
    // A form's empty file input still sends an empty, unnamed file: that is "no image".
    const hasImage = file instanceof File && (file.size > 0 || file.name !== '');
    return hasImage ? { ...input, inputImage: await readFormImage(form) } : input;
  }
  throw new InputError('Send a JSON body (Content-Type: application/json) or a multipart form.', { field: 'body' });
}

function toBatchInput(body: Record<string, unknown>): BatchInput {
  const fields = parseOrThrow(fieldsSchema, body);
  const prompts = readPrompts(fields.prompt, fields.prompts);
  const total = prompts.length * fields.numberOfImages;
  if (total > maxImagesPerBatch) {
    throw new InputError(
      `A batch makes at most ${maxImagesPerBatch} images: ${prompts.length} prompts × ${fields.numberOfImages} images is ${total}.`,
      { field: 'numberOfImages' },
    );
  }
  return {
    prompts,
    numberOfImages: fields.numberOfImages,
    ...(fields.aspectRatio ? { aspectRatio: fields.aspectRatio } : {}),
    ...(fields.provider ? { providerId: fields.provider } : {}),
  };
}

function readPrompts(prompt: unknown, prompts: unknown): string[] {
  if (prompts === undefined || prompts === null) return [parseOrThrow(z.object({ prompt: promptSchema }), { prompt }).prompt];
  if (prompt !== undefined && prompt !== null) {
    throw new InputError('Send either prompt or prompts, not both.', { field: 'prompts' });
  }
  if (!Array.isArray(prompts) || prompts.length === 0) {
    throw new InputError('prompts must be a non-empty array of prompts, e.g. ["a red fox", "a blue whale"].', { field: 'prompts' });
  }
  if (prompts.length > maxImagesPerBatch) {
    throw new InputError(`A batch takes at most ${maxImagesPerBatch} prompts; this one has ${prompts.length}.`, { field: 'prompts' });
  }
  return prompts.map((value, position) => {
    const parsed = promptSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new InputError(`Prompt ${position + 1} of prompts: ${parsed.error.issues[0]?.message}`, { field: 'prompts' });
  });
}
