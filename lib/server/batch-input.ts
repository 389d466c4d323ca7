import { z } from 'zod';
import type { InputImage } from '@/lib/core';
import { maxImagesPerBatch } from '@/lib/core/batch-limits';
import {
  assertRequestSizeFitsAnImage,
  formHasImage,
  formText,
  isMediaType,
  numberOfImagesSchemaUpTo,
  parseOrThrow,
  promptSchema,
  readForm,
  readFormImages,
  readJsonBody,
  readJsonImages,
} from './generation-input';
import { InputError } from './input-error';
import { parseWebhookUrl, WebhookUrlError } from './webhooks';
import { formOptionValues, requestOptionShape, toRequestedGeneration, type RequestedGeneration } from './request-options';

/** A validated request for a background batch (`POST /api/batches`). */
export interface BatchInput {
  /** In order; each prompt makes `numberOfImages` items (prompt 1's images first). */
  prompts: string[];
  /** Images per prompt. */
  numberOfImages: number;
  /** Provider, model, image options and cost cap (checked against the model later). */
  requested: RequestedGeneration;
  /** Present for image-to-image: one or more. */
  inputImages?: InputImage[];
  /** Where the batch's end is POSTed (checked for its scheme here, for its addresses when the batch is created). */
  webhookUrl?: string;
}

export { maxImagesPerBatch };

const maxWebhookUrlLength = 2_000;

const fieldsSchema = z.object({
  prompt: z.unknown().optional(),
  prompts: z.unknown().optional(),
  numberOfImages: numberOfImagesSchemaUpTo(maxImagesPerBatch),
  webhookUrl: z
    .string({ error: 'webhookUrl must be a URL (a string).' })
    .trim()
    .min(1, 'webhookUrl must not be empty.')
    .max(maxWebhookUrlLength, `webhookUrl must be at most ${maxWebhookUrlLength} characters.`)
    .optional(),
  ...requestOptionShape,
});

/**
 * `POST /api/batches`: JSON `{ prompt | prompts, numberOfImages?, provider?, model?, aspectRatio?,
 * size?, quality?, outputFormat?, background?, maxCostUsd?, webhookUrl?, image? | images? }` (images as
 * `{ data: base64, mimeType }`), or multipart with the same fields (`prompts` and `image`
 * repeated). With images the batch is image-to-image. `numberOfImages` is per prompt, 1 to 100,
 * and the batch as a whole makes at most 100 images.
 */
export async function parseBatchRequest(request: Request): Promise<BatchInput> {
  assertRequestSizeFitsAnImage(request);
  if (isMediaType(request, 'application/json')) {
    const body = await readJsonBody(request);
    const input = toBatchInput(body);
    const inputImages = await readJsonImages(body);
    return inputImages.length === 0 ? input : { ...input, inputImages };
  }
  if (isMediaType(request, 'multipart/form-data')) {
    const form = await readForm(request);
    const prompts = form.getAll('prompts').filter((value): value is string => typeof value === 'string');
    const input = toBatchInput({
      prompt: formText(form, 'prompt'),
      prompts: prompts.length > 0 ? prompts : undefined,
      numberOfImages: formText(form, 'numberOfImages'),
      webhookUrl: formText(form, 'webhookUrl'),
      ...formOptionValues(form),
    });
    return formHasImage(form) ? { ...input, inputImages: await readFormImages(form) } : input;
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
  const input: BatchInput = { prompts, numberOfImages: fields.numberOfImages, requested: toRequestedGeneration(fields) };
  if (fields.webhookUrl === undefined) return input;
  try {
    parseWebhookUrl(fields.webhookUrl);
  } catch (error) {
    if (error instanceof WebhookUrlError) throw new InputError(error.message, { field: 'webhookUrl' });
    throw error;
  }
  return { ...input, webhookUrl: fields.webhookUrl };
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
