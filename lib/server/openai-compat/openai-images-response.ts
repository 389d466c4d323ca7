import type { ImageOptions, ImageUsage, ItemError } from '@/lib/core';
import type { BatchWithItems, ItemRecord } from '@/lib/store';
import { imageUrlOf } from '../batch-view';

/** The SDK's `ImagesResponse`, the fields this server can fill. */
export interface OpenAIImagesBody {
  created: number;
  data: { b64_json?: string; url?: string }[];
  output_format?: 'png' | 'webp' | 'jpeg';
  size?: string;
  quality?: 'low' | 'medium' | 'high';
  background?: 'transparent' | 'opaque';
  usage?: {
    input_tokens: number;
    input_tokens_details: { image_tokens: number; text_tokens: number };
    output_tokens: number;
    total_tokens: number;
  };
}

/** The answer to an images request once its batch has ended: a body (success or OpenAI's error) and headers. */
export interface OpenAIImagesResult {
  status: number;
  body: OpenAIImagesBody | { error: { message: string; type: string; param: string | null; code: string | null } };
  headers: Record<string, string>;
}

/** The batch id of every images request, to find it in the gallery or `GET /api/batches/:id`. */
export const batchIdHeader = 'x-imagegen-batch-id';
/**
 * How many of the `n` images failed or were canceled. OpenAI's API has no partial answer: `data`
 * carries the images made, this header says how many are missing (the batch has the reasons).
 */
export const failedCountHeader = 'x-imagegen-failed';

/** When every image was rate limited but the provider named no delay, ask the client to wait this long. */
const fallbackRetryAfterSeconds = 60;

export interface ImagesResultOptions {
  responseFormat: 'b64_json' | 'url';
  /** This server's origin as the client reaches it, for absolute `url`s. */
  origin: string;
  /** The options the batch ran with (after mapping OpenAI's parameters). */
  options: ImageOptions;
  /** The stored bytes of an image (for `b64_json`). */
  readImage: (imageId: string) => Promise<Uint8Array>;
  /** `WIDTHxHEIGHT` of a stored image, when it can be read. */
  sizeOf: (imageId: string) => Promise<string | undefined>;
}

/**
 * Builds the answer from the ended batch: 200 with every image made (in index order) when at least
 * one was, else OpenAI's error with the status that says whose fault it was (429 + Retry-After
 * when the provider's rate limit or quota refused every image, 400 for refusals of the prompt or
 * input, 502 when the provider failed, 500 for our own faults).
 */
export async function toImagesResult(batch: BatchWithItems, options: ImagesResultOptions): Promise<OpenAIImagesResult> {
  const made = batch.items.filter((item): item is ItemRecord & { image: NonNullable<ItemRecord['image']> } => item.status === 'succeeded' && item.image !== undefined);
  const missing = batch.items.length - made.length;
  const headers: Record<string, string> = { [batchIdHeader]: batch.id, [failedCountHeader]: String(missing) };
  if (made.length === 0) {
    const failure = failureOf(batch.items);
    return { ...failure, headers: { ...headers, ...failure.headers } };
  }

  const data = await Promise.all(
    made.map(async (item) =>
      options.responseFormat === 'url'
        ? { url: new URL(imageUrlOf(item.image.imageId), options.origin).toString() }
        : { b64_json: Buffer.from(await options.readImage(item.image.imageId)).toString('base64') },
    ),
  );
  const outputFormat = outputFormatOf(made[0]!.image.mimeType);
  const usage = totalUsage(made.map((item) => item.usage));
  const { quality, background } = options.options;
  // What the image is, as OpenAI reports it (a size mapped to an aspect ratio is not what was asked).
  const size = await options.sizeOf(made[0]!.image.imageId);
  const body: OpenAIImagesBody = {
    created: Math.floor(Date.parse(batch.createdAt) / 1000),
    data,
    ...(outputFormat ? { output_format: outputFormat } : {}),
    ...(size ? { size } : {}),
    // Echoed only when the request chose them: what the provider picked for "auto" is not known here.
    ...(quality === 'low' || quality === 'medium' || quality === 'high' ? { quality } : {}),
    ...(background === 'transparent' || background === 'opaque' ? { background } : {}),
    ...(usage ? { usage } : {}),
  };
  return { status: 200, body, headers };
}

function outputFormatOf(mimeType: string): OpenAIImagesBody['output_format'] {
  if (mimeType === 'image/png') return 'png';
  if (mimeType === 'image/jpeg') return 'jpeg';
  if (mimeType === 'image/webp') return 'webp';
  return undefined;
}

/** The images' usage added up, in OpenAI's shape; undefined unless every image reported its tokens. */
export function totalUsage(usages: (ImageUsage | undefined)[]): OpenAIImagesBody['usage'] {
  if (usages.length === 0 || usages.some((usage) => usage?.inputTokens === undefined || usage.outputTokens === undefined)) return undefined;
  const sum = (pick: (usage: ImageUsage) => number | undefined) => usages.reduce((total, usage) => total + (pick(usage!) ?? 0), 0);
  const inputTokens = sum((usage) => usage.inputTokens);
  const imageTokens = sum((usage) => usage.inputImageTokens);
  const outputTokens = sum((usage) => usage.outputTokens);
  return {
    input_tokens: inputTokens,
    input_tokens_details: { image_tokens: imageTokens, text_tokens: inputTokens - imageTokens },
    output_tokens: outputTokens,
    total_tokens: sum((usage) => usage.totalTokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)),
  };
}

const rateKinds = new Set<ItemError['kind']>(['rate_limited', 'quota_exhausted']);
const refusedInputKinds = new Set<ItemError['kind']>(['safety_blocked', 'invalid_request']);
const providerFaultKinds = new Set<ItemError['kind']>(['overloaded', 'transient', 'timeout']);

/** No image was made: the status and error that say why, from the items' errors. */
function failureOf(items: ItemRecord[]): OpenAIImagesResult {
  const errors = items.flatMap((item) => (item.status === 'failed' && item.error ? [item.error] : []));
  const first = errors[0];
  const error = (status: number, type: string, code: string | null, message: string, headers: Record<string, string> = {}) => ({
    status,
    body: { error: { message, type, param: null, code } },
    headers,
  });
  if (!first) return error(400, 'invalid_request_error', 'batch_canceled', 'The batch was canceled on this server before any image was made.');
  const summary = `All ${items.length} image generations failed: ${first.message}${first.details ? ` (${first.details})` : ''}`;
  const allFailed = errors.length === items.length;
  if (allFailed && errors.every((item) => rateKinds.has(item.kind))) {
    const longestWaitMs = Math.max(0, ...errors.map((item) => item.retryAfterMs ?? 0));
    const retryAfterSeconds = longestWaitMs > 0 ? Math.ceil(longestWaitMs / 1000) : fallbackRetryAfterSeconds;
    const code = errors.every((item) => item.kind === 'quota_exhausted') ? 'insufficient_quota' : 'rate_limit_exceeded';
    return error(429, 'rate_limit_error', code, summary, { 'retry-after': String(retryAfterSeconds) });
  }
  if (errors.every((item) => item.kind === 'cost_limit')) return error(429, 'insufficient_quota', 'insufficient_quota', summary);
  if (errors.every((item) => refusedInputKinds.has(item.kind))) {
    const isModeration = errors.every((item) => item.kind === 'safety_blocked');
    return error(400, isModeration ? 'image_generation_user_error' : 'invalid_request_error', isModeration ? 'moderation_blocked' : 'invalid_value', summary);
  }
  if (errors.some((item) => providerFaultKinds.has(item.kind) || rateKinds.has(item.kind))) return error(502, 'server_error', 'upstream_error', summary);
  return error(500, 'server_error', null, summary);
}
