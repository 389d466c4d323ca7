import { randomUUID } from 'node:crypto';
import type { EngineEvent, GenerationMode, ImageProvider } from '@/lib/core';
import { runBatch, type BatchResult } from '@/lib/engine';
import type { App } from './create-app';
import type { GenerationInput } from './generation-input';
import { logEvent } from './logger';

export interface GenerateImagesOptions {
  /** Aborting cancels the batch: nothing more is sent to the provider. */
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
}

export interface GenerationContext {
  batchId: string;
  provider: ImageProvider;
  mode: GenerationMode;
}

/** Resolves the provider and names the batch; a 400 InputError when the provider is not configured. */
export function prepareGeneration(app: App, input: GenerationInput): GenerationContext {
  return {
    batchId: randomUUID(),
    provider: app.resolveProvider(input.providerId),
    mode: input.inputImage ? 'image-to-image' : 'text-to-image',
  };
}

/** Generates the batch, one provider call per image, through the provider's shared lane. */
export async function generateImages(
  app: App,
  input: GenerationInput,
  context: GenerationContext,
  options: GenerateImagesOptions = {},
): Promise<BatchResult> {
  const { batchId, provider, mode } = context;
  const startedAt = Date.now();
  const requests = Array.from({ length: input.numberOfImages }, (_, offset) => ({
    prompt: input.prompt,
    index: offset + 1,
    ...(input.aspectRatio ? { aspectRatio: input.aspectRatio } : {}),
    ...(input.inputImage ? { inputImage: input.inputImage } : {}),
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
  });
  const succeeded = result.items.filter((item) => item.status === 'succeeded').length;
  logEvent('batch-end', {
    batchId,
    provider: provider.id,
    status: result.status,
    total: result.items.length,
    succeeded,
    failed: result.items.length - succeeded,
    durationMs: Date.now() - startedAt,
  });
  return result;
}
