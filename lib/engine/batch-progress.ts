import { estimateRemainingMs, type EngineEvent, type ItemOutcome } from '@/lib/core';

type CounterKey = 'batchId' | 'sequence' | 'total' | 'completed' | 'failed' | 'etaMs';

/** An engine event without the counters, which the batch's progress fills in. */
export type EngineEventBody = EngineEvent extends infer Event
  ? Event extends EngineEvent
    ? Omit<Event, CounterKey>
    : never
  : never;

export interface BatchProgressOptions {
  batchId: string;
  total: number;
  onEvent?: (event: EngineEvent) => void;
}

export interface BatchProgress {
  /** Emits an event stamped with the next sequence number and the current counters. */
  emit(body: EngineEventBody): void;
  /** Counts the item's outcome, then emits its `item-end` (so the event includes it). */
  endItem(index: number, outcome: ItemOutcome): void;
}

/**
 * The counters every event carries: sequence (0, 1, 2, … per batch), succeeded and failed so far,
 * and an ETA from the average time per ended item (null until one has ended, 0 when all have).
 *
 * Event delivery is best effort and never breaks the batch: a listener that throws (or returns a
 * promise that rejects) is ignored, because the `BatchResult` is the authoritative record and an
 * image must not be lost because, say, a closed SSE stream refused a write. Listeners that care
 * about their own failures must catch them.
 */
export function createBatchProgress({ batchId, total, onEvent }: BatchProgressOptions): BatchProgress {
  const startedAtMs = Date.now();
  let sequence = 0;
  let completed = 0;
  let failed = 0;
  let ended = 0;

  const emit = (body: EngineEventBody): void => {
    const etaMs = estimateRemainingMs(startedAtMs, ended, total - ended);
    const event = { ...body, batchId, sequence, total, completed, failed, etaMs } as EngineEvent;
    sequence += 1;
    deliver(onEvent, event);
  };

  return {
    emit,
    endItem(index, outcome) {
      ended += 1;
      if (outcome.status === 'succeeded') completed += 1;
      if (outcome.status === 'failed') failed += 1;
      emit({ type: 'item-end', index, outcome });
    },
  };
}

function deliver(onEvent: ((event: EngineEvent) => void) | undefined, event: EngineEvent): void {
  if (!onEvent) return;
  try {
    const returned: unknown = onEvent(event);
    if (isPromiseLike(returned)) returned.then(undefined, ignore);
  } catch {
    // Deliberately ignored: see createBatchProgress.
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function ignore(): void {}
