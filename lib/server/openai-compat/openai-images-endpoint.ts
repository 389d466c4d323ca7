import sharp from 'sharp';
import { readBlob, type BlobStore } from '@/lib/store';
import { followBatchEvents } from '../batch-events';
import { createBatch, requireBatch } from '../batches';
import { getApp } from '../create-app';
import { authenticateOpenAIClient } from './openai-client-auth';
import { toOpenAIErrorResponse } from './openai-error';
import { toImageOptions } from './openai-image-options';
import type { OpenAIImagesRequest } from './openai-images-request';
import { toImagesResult } from './openai-images-response';
import { resolveOpenAIModel } from './openai-model-ids';

/**
 * `POST /v1/images/generations` and `/v1/images/edits`: the request becomes a batch of `n` images
 * on the one durable lifecycle (queue, pacing, retries, gallery, the caller's quotas), and the
 * answer waits for it to end, as OpenAI's API is synchronous. A client that hangs up cancels the
 * rest of its batch; the images already made stay in the gallery.
 */
export async function respondToOpenAIImages(request: Request, parse: (request: Request) => Promise<OpenAIImagesRequest>): Promise<Response> {
  try {
    const principal = await authenticateOpenAIClient(request);
    const input = await parse(request);
    const app = getApp();
    const { providerId, modelId } = resolveOpenAIModel(app.catalog(), input.model);
    const { model } = app.resolveModel(providerId, modelId);
    const options = toImageOptions(input.params, model.capabilities);
    const created = await createBatch(principal, {
      prompts: [input.prompt],
      numberOfImages: input.n,
      requested: { providerId, modelId, options },
      ...(input.inputImages ? { inputImages: input.inputImages } : {}),
    });
    const { store, queue, accounts } = await app.batches();
    await followBatchEvents({ store: store.batches, queue, batchId: created.id, afterSequence: 0, send: () => {}, signal: request.signal });
    if (request.signal.aborted) {
      // Cancel is idempotent: on a batch that has just ended it changes nothing.
      await queue.cancel(created.id).catch(() => undefined);
      return new Response(null, { status: 499 });
    }
    const result = await toImagesResult(await requireBatch(store, created.id), {
      responseFormat: input.responseFormat,
      // Behind a reverse proxy the request's own URL is the proxy's upstream: PUBLIC_URL is what clients reach.
      origin: accounts.settings.publicUrl ?? new URL(request.url).origin,
      options,
      readImage: async (imageId) => (await readBlob(store.blobs, imageId)).bytes,
      sizeOf: (imageId) => sizeOfStoredImage(store.blobs, imageId),
    });
    return Response.json(result.body, { status: result.status, headers: result.headers });
  } catch (error) {
    return toOpenAIErrorResponse(error);
  }
}

/** `WIDTHxHEIGHT` from the stored image's header; undefined when it cannot be read (the field is optional). */
async function sizeOfStoredImage(blobs: BlobStore, imageId: string): Promise<string | undefined> {
  try {
    const { width, height } = await sharp((await readBlob(blobs, imageId)).bytes).metadata();
    return width && height ? `${width}x${height}` : undefined;
  } catch {
    return undefined;
  }
}
