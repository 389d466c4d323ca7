import type { EngineEvent, ProgressEvent } from '@/lib/core';
import type { GenerationContext } from './generate-images';
import { toClassicResult, type IndexedOutcome } from './classic-result';

/**
 * Turns the engine's events into the wire union (base64 images, provider info on batch-start, the
 * classic body on batch-end). Stateful: it collects the outcomes it has seen to build that body.
 */
export function createProgressEventMapper(context: GenerationContext): (event: EngineEvent) => ProgressEvent {
  const outcomes: IndexedOutcome[] = [];
  return (event) => {
    const counters = {
      batchId: event.batchId,
      sequence: event.sequence,
      total: event.total,
      completed: event.completed,
      failed: event.failed,
      etaMs: event.etaMs,
    };
    switch (event.type) {
      case 'batch-start':
        return {
          type: 'batch-start',
          ...counters,
          provider: context.provider.id,
          model: context.provider.modelId,
          isDemo: context.provider.isDemo,
          mode: context.mode,
        };
      case 'item-start':
        return { type: 'item-start', ...counters, index: event.index, attempt: event.attempt };
      case 'item-retry':
        return {
          type: 'item-retry',
          ...counters,
          index: event.index,
          attempt: event.attempt,
          delayMs: event.delayMs,
          kind: event.error.kind,
          error: event.error.message,
        };
      case 'item-end': {
        const { outcome, index } = event;
        outcomes.push({ index, ...outcome });
        if (outcome.status === 'succeeded') {
          return {
            type: 'item-end',
            ...counters,
            index,
            status: 'succeeded',
            data: Buffer.from(outcome.image.bytes).toString('base64'),
            mimeType: outcome.image.mimeType,
          };
        }
        if (outcome.status === 'failed') {
          return {
            type: 'item-end',
            ...counters,
            index,
            status: 'failed',
            kind: outcome.error.kind,
            error: outcome.error.message,
            details: outcome.error.details ?? outcome.error.message,
          };
        }
        return { type: 'item-end', ...counters, index, status: 'canceled', error: 'Canceled' };
      }
      case 'batch-end':
        return { type: 'batch-end', ...counters, status: event.status, result: toClassicResult(outcomes).body };
    }
  };
}
