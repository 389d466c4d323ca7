import { randomUUID } from 'node:crypto';
import { imageCostUsd, type EngineEvent, type GenerationMode, type ImageProvider } from '@/lib/core';
import { createCostBudget, runBatch, type BatchResult, type CostBudget } from '@/lib/engine';
import type { App } from './create-app';
import type { GenerationInput } from './generation-input';
import { logEvent } from './logger';
import { resolveRequestedModel } from './request-options';

export interface GenerateImagesOptions {
  /** Aborting cancels the batch: nothing more is sent to the provider. */
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
}

export interface GenerationContext {
  batchId: string;
  provider: ImageProvider;
  mode: GenerationMode;
  /** The batch's spending cap, when the request set `maxCostUsd`. */
  budget?: CostBudget;
}

/**
 * Resolves the provider and model, checks the options against what the model takes, and names the
 * batch; a 400 InputError (naming the field) when the request does not fit. Nothing is sent before.
 */
export function prepareGeneration(app: App, input: GenerationInput): GenerationContext {
  const { requested } = input;
  const { provider, providerInfo, model, estimatedImageCostUsd } = resolveRequestedModel(app, requested, input.inputImages);
  const { quality, size } = requested.options;
  const budget =
    requested.maxCostUsd === undefined || estimatedImageCostUsd === undefined
      ? undefined
      : createCostBudget({
          limitUsd: requested.maxCostUsd,
          estimateUsd: estimatedImageCostUsd,
          costOf: (image) => (providerInfo.isDemo ? 0 : imageCostUsd(model.price, image.usage, quality, size)),
        });
  return {
    batchId: randomUUID(),
    provider,
    mode: input.inputImages ? 'image-to-image' : 'text-to-image',
    ...(budget ? { budget } : {}),
  };
}

/** Generates the batch, one provider call per image, through the provider's shared lane. */
export async function generateImages(
  app: App,
  input: GenerationInput,
  context: GenerationContext,
  options: GenerateImagesOptions = {},
): Promise<BatchResult> {
  const { batchId, provider, mode, budget } = context;
  const startedAt = Date.now();
  const requests = Array.from({ length: input.numberOfImages }, (_, offset) => ({
    prompt: input.prompt,
    index: offset + 1,
    ...input.requested.options,
    ...(input.inputImages ? { inputImages: input.inputImages } : {}),
  }));
  logEvent('batch-start', { batchId, provider: provider.id, model: provider.modelId, mode, total: requests.length });
  const result = await runBatch({
    batchId,
    provider,
    requests,
    lane: app.laneFor(provider),
    retryPolicy: app.retryPolicy,
    signal: options.signal,
    onEvent: options.onEvent,
    ...(budget ? { budget } : {}),
  });
  const count = (status: string) => result.items.filter((item) => item.status === status).length;
  logEvent('batch-end', {
    batchId,
    provider: provider.id,
    status: result.status,
    total: result.items.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    canceled: count('canceled'),
    durationMs: Date.now() - startedAt,
  });
  return result;
}
