import type { ItemOutcome, ProgressEvent } from '@/lib/core';
import { readBlob, type BatchEvent, type BatchWithItems, type BlobStore, type ItemRecord } from '@/lib/store';
import { followBatchEvents } from './batch-events';
import { toWireEvent } from './batch-view';
import { createBatch, requireBatch } from './batches';
import { toClassicResult, type IndexedOutcome } from './classic-result';
import { authenticateRequest, getApp } from './create-app';
import type { GenerationInput } from './generation-input';
import { createSseResponse, wantsEventStream } from './sse';
import { toErrorResponse } from './to-response';

/**
 * The shared body of the two classic generate routes, on the one durable lifecycle: the request
 * becomes a stored batch (every image saved before it is reported, the batch in the gallery and
 * its images in the ZIP like any other), followed through its event log. The answer is the seed's:
 * the classic JSON once the batch has ended, or (Accept: text/event-stream) the classic SSE stream.
 * A client that goes away cancels the rest of its batch; the images already made stay saved.
 */
export async function respondToGeneration(
  request: Request,
  parseInput: (request: Request) => Promise<GenerationInput>,
): Promise<Response> {
  try {
    const principal = await authenticateRequest(request);
    const input = await parseInput(request);
    const created = await createBatch(principal, {
      prompts: [input.prompt],
      numberOfImages: input.numberOfImages,
      requested: input.requested,
      ...(input.inputImages ? { inputImages: input.inputImages } : {}),
    }, { origin: new URL(request.url).origin });
    const { store, queue } = await getApp().batches();
    const follow = (send: (event: BatchEvent) => void, signal: AbortSignal) =>
      followBatchEvents({ store: store.batches, queue, batchId: created.id, afterSequence: 0, send, signal });
    // Gone before the end: nothing more is sent to the provider for this batch (cancel is
    // idempotent: on a batch that has ended it changes nothing).
    const cancelRest = () => queue.cancel(created.id).catch(() => undefined);

    if (wantsEventStream(request)) {
      return createSseResponse(request.signal, async (send, signal) => {
        // Images are read from the blob store in event order, each sent once (in its item-end).
        let sending = Promise.resolve();
        await follow((event) => {
          sending = sending.then(async () => send(await toClassicEvent(event, store.batches, store.blobs)));
        }, signal);
        await sending;
        if (signal.aborted) await cancelRest();
      });
    }

    await follow(() => {}, request.signal);
    if (request.signal.aborted) {
      await cancelRest();
      return new Response(null, { status: 499 });
    }
    const classic = toClassicResult(await outcomesOf(await requireBatch(store, created.id), store.blobs, { withImages: true }));
    const headers: Record<string, string> = {};
    if (classic.retryAfterSeconds !== undefined) headers['Retry-After'] = String(classic.retryAfterSeconds);
    return Response.json(classic.body, { status: classic.httpStatus, headers });
  } catch (error) {
    return toErrorResponse(error);
  }
}

/**
 * A logged event as the classic stream sends it: a succeeded `item-end` carries its image as base64
 * (once: `batch-end.result` then reports success, failed and errors without the bytes again).
 */
async function toClassicEvent(
  event: BatchEvent,
  store: { getBatch(batchId: string): Promise<BatchWithItems | undefined> },
  blobs: BlobStore,
): Promise<ProgressEvent> {
  const wire = toWireEvent(event);
  if (wire.type === 'item-end' && wire.status === 'succeeded' && wire.imageId) {
    return { ...wire, data: Buffer.from((await readBlob(blobs, wire.imageId)).bytes).toString('base64') };
  }
  if (wire.type === 'batch-end') {
    const batch = await store.getBatch(event.batchId);
    if (!batch) return wire;
    const { body } = toClassicResult(await outcomesOf(batch, blobs, { withImages: false }));
    if ('images' in body) {
      const { images: _images, ...withoutImages } = body;
      return { ...wire, result: withoutImages };
    }
    return { ...wire, result: body };
  }
  return wire;
}

/** The items as the classic formats need them: in index order, with their bytes when asked. */
async function outcomesOf(batch: BatchWithItems, blobs: BlobStore, { withImages }: { withImages: boolean }): Promise<IndexedOutcome[]> {
  return Promise.all(batch.items.map(async (item) => ({ index: item.index, ...(await outcomeOf(item, blobs, withImages)) })));
}

async function outcomeOf(item: ItemRecord, blobs: BlobStore, withImages: boolean): Promise<ItemOutcome> {
  const attempts = item.attempts;
  if (item.status === 'succeeded' && item.image) {
    const bytes = withImages ? (await readBlob(blobs, item.image.imageId)).bytes : new Uint8Array();
    return { status: 'succeeded', image: { bytes, mimeType: item.image.mimeType }, attempts };
  }
  if (item.status === 'failed' && item.error) return { status: 'failed', error: item.error, attempts };
  return { status: 'canceled', attempts };
}
