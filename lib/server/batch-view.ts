import { inputImagesOf, type BatchEvent, type BatchParams, type BatchRecord, type BatchWithItems, type ItemRecord, type WebhookDelivery } from '@/lib/store';
import { roundUsd, seedForImage, withoutUndefined, type BatchItemView, type BatchView, type ProgressEvent, type WebhookDeliveryView } from '@/lib/core';

/** The API's views are defined in lib/core (the browser validates them with the same schemas). */
export type { BatchItemView, BatchView } from '@/lib/core';

/** Where the API serves a stored image. */
export function imageUrlOf(imageId: string): string {
  return `/api/images/${encodeURIComponent(imageId)}`;
}

export function batchUrlOf(batchId: string): string {
  return `/api/batches/${encodeURIComponent(batchId)}`;
}

/** The batch as the API shows it; with `webhooks`, its deliveries (passed when the batch has webhook URLs). */
export function toBatchView(batch: BatchRecord | BatchWithItems, webhooks?: readonly WebhookDelivery[]): BatchView {
  const url = batchUrlOf(batch.id);
  const { params } = batch;
  const inputImageUrls = inputImagesOf(params).map((image) => imageUrlOf(image.imageId));
  return {
    id: batch.id,
    createdAt: batch.createdAt,
    updatedAt: batch.updatedAt,
    prompt: batch.prompt,
    prompts: params.prompts ?? [batch.prompt],
    mode: batch.mode,
    provider: batch.providerId,
    model: batch.modelId,
    isDemo: batch.isDemo,
    ...(params.aspectRatio ? { aspectRatio: params.aspectRatio } : {}),
    ...(params.size ? { size: params.size } : {}),
    ...(params.quality ? { quality: params.quality } : {}),
    ...(params.outputFormat ? { outputFormat: params.outputFormat } : {}),
    ...(params.background ? { background: params.background } : {}),
    ...diffusionControlsOf(params),
    numberOfImages: params.numberOfImages,
    ...(params.estimatedImageCostUsd === undefined ? {} : { estimatedCostUsd: roundUsd(params.estimatedImageCostUsd * batch.total) }),
    costUsd: roundUsd(batch.costUsd),
    ...(params.maxCostUsd === undefined ? {} : { maxCostUsd: params.maxCostUsd }),
    status: batch.status,
    total: batch.total,
    succeeded: batch.succeeded,
    failed: batch.failed,
    canceled: batch.canceled,
    lastSequence: batch.lastEventSequence,
    ...(inputImageUrls.length > 0 ? { inputImageUrl: inputImageUrls[0], inputImageUrls } : {}),
    url,
    eventsUrl: `${url}/events`,
    zipUrl: `${url}/zip`,
    ...('items' in batch ? { items: batch.items.map((item) => toItemView(item, params.seed)) } : {}),
    ...(webhooks && webhooks.length > 0 ? { webhooks: webhooks.map(toWebhookDeliveryView) } : {}),
  };
}

export function toWebhookDeliveryView(delivery: WebhookDelivery): WebhookDeliveryView {
  return {
    id: delivery.id,
    target: new URL(delivery.url).origin,
    status: delivery.status,
    sequence: delivery.eventSequence,
    attempts: delivery.attempts,
    ...(delivery.lastStatusCode === undefined ? {} : { lastStatusCode: delivery.lastStatusCode }),
    ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }),
    ...(delivery.nextAttemptAtMs === undefined ? {} : { nextAttemptAt: new Date(delivery.nextAttemptAtMs).toISOString() }),
    ...(delivery.deliveredAt === undefined ? {} : { deliveredAt: delivery.deliveredAt }),
  };
}

/** The diffusion controls a batch asked for, only those it set (most batches set none). */
export function diffusionControlsOf(params: BatchParams) {
  return withoutUndefined({
    negativePrompt: params.negativePrompt,
    seed: params.seed,
    steps: params.steps,
    cfgScale: params.cfgScale,
    sampler: params.sampler,
    denoisingStrength: params.denoisingStrength,
  });
}

/** The seed an item's image was made with: as recorded with it, else derived from the batch's `seed`. */
export function seedOfItem(item: Pick<ItemRecord, 'index' | 'seed'>, batchSeed: number | undefined): number | undefined {
  return item.seed ?? (batchSeed === undefined ? undefined : seedForImage(batchSeed, item.index));
}

/**
 * `batchSeed`: the batch's `seed`, from which this item's own follows (`seed + index - 1`). The seed
 * recorded with the made image wins: the one the provider reported (a local server's random seed).
 */
export function toItemView(item: ItemRecord, batchSeed?: number): BatchItemView {
  const seed = seedOfItem(item, batchSeed);
  return {
    index: item.index,
    prompt: item.prompt,
    ...(seed === undefined ? {} : { seed }),
    status: item.status,
    attempts: item.attempts,
    ...(item.error
      ? {
          error: {
            kind: item.error.kind,
            message: item.error.message,
            ...(item.error.details ? { details: item.error.details } : {}),
            ...(item.error.retryStop ? { retryStop: item.error.retryStop } : {}),
          },
        }
      : {}),
    ...(item.image ? { imageId: item.image.imageId, imageUrl: imageUrlOf(item.image.imageId), mimeType: item.image.mimeType } : {}),
    ...(item.usage ? { usage: item.usage } : {}),
    ...(item.costUsd === undefined ? {} : { costUsd: item.costUsd }),
    ...(item.startedAt ? { startedAt: item.startedAt } : {}),
    ...(item.endedAt ? { endedAt: item.endedAt } : {}),
    // Only a made image can be a favorite: the field is there for succeeded items.
    ...(item.status === 'succeeded' ? { isFavorite: item.isFavorite === true } : {}),
    ...(item.imageDeletedAt ? { imageDeletedAt: item.imageDeletedAt } : {}),
  };
}

/** A logged event as sent on the wire: a stored image gets its URL next to its id. */
export function toWireEvent(event: BatchEvent): ProgressEvent {
  if (event.type === 'item-end' && event.imageId) return { ...event, imageUrl: imageUrlOf(event.imageId) };
  return event;
}
