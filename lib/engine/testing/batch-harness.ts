import type { EngineEvent, GenerateImageOptions } from '@/lib/core';
import { runBatch, type BatchResult, type RunBatchOptions } from '../run-batch';
import { trackPromise, type TrackedPromise } from './track-promise';

/** Requests for images 1 to `count`. */
export function requestsFor(count: number, prompt = 'a red fox'): GenerateImageOptions[] {
  return Array.from({ length: count }, (_, offset) => ({ prompt, index: offset + 1 }));
}

export type StartBatchOptions = Pick<RunBatchOptions, 'provider' | 'lane'> &
  Partial<Pick<RunBatchOptions, 'budget'>> &
  Partial<Omit<RunBatchOptions, 'provider' | 'lane'>> & {
    /** Images 1 to `count`, unless `requests` is given. @default 1 */
    count?: number;
  };

export interface StartedBatch {
  events: EngineEvent[];
  result: TrackedPromise<BatchResult>;
}

/** Starts `runBatch` without awaiting it (fake timers drive it), collecting its events; jitter fixed at 0.5. */
export function startBatch({ count = 1, ...options }: StartBatchOptions): StartedBatch {
  const events: EngineEvent[] = [];
  const result = trackPromise(
    runBatch({
      batchId: 'batch-1',
      requests: requestsFor(count),
      random: () => 0.5,
      onEvent: (event) => events.push(event),
      ...options,
    }),
  );
  return { events, result };
}

export function eventsOfType<Type extends EngineEvent['type']>(events: EngineEvent[], type: Type): Extract<EngineEvent, { type: Type }>[] {
  return events.filter((event): event is Extract<EngineEvent, { type: Type }> => event.type === type);
}
