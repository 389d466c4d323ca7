import type { ItemProgressEvent } from '@/lib/core';
import { isFinishedStatus, type BatchQueue } from '@/lib/queue';
import type { BatchEvent, BatchStore } from '@/lib/store';
import { toWireEvent } from './batch-view';
import type { Principal } from './accounts';
import { requireBatch } from './batches';
import { getApp } from './create-app';
import { InputError } from './input-error';
import { createSseResponse } from './sse';

const backlogPageSize = 1_000;

/**
 * The sequence a client last received: the `Last-Event-ID` header (what EventSource sends when it
 * reconnects) or else `?lastEventId=` (for clients that cannot set headers); 0 when neither.
 */
export function parseLastEventId(request: Request): number {
  const value = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId');
  if (value === null || value.trim() === '') return 0;
  const sequence = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(sequence)) {
    throw new InputError('Last-Event-ID must be the id of an event received before: a whole number ≥ 0.', { field: 'lastEventId' });
  }
  return sequence;
}

/**
 * `GET /api/batches/:id/events`: the batch's progress as SSE, each event's `id:` its durable
 * sequence. Replays what the client missed (after Last-Event-ID), then continues live; a batch that
 * has ended replays and closes. Unknown batch: 404, before any stream starts.
 */
export async function respondWithBatchEvents(request: Request, batchId: string, principal: Principal): Promise<Response> {
  const afterSequence = parseLastEventId(request);
  const { store, queue } = await getApp().batches();
  await requireBatch(store, batchId, principal);
  return createSseResponse(request.signal, (send, signal) =>
    followBatchEvents({ store: store.batches, queue, batchId, afterSequence, send: (event) => send(toWireEvent(event)), sendProgress: send, signal }),
  );
}

export interface FollowBatchEventsOptions {
  store: BatchStore;
  queue: Pick<BatchQueue, 'subscribe'> & Partial<Pick<BatchQueue, 'subscribeProgress'>>;
  batchId: string;
  /** Only events after this sequence. */
  afterSequence: number;
  /** Each logged event once, in sequence order. */
  send: (event: BatchEvent) => void;
  /**
   * Live step progress of running items, in order with the live events; none while the backlog
   * is being sent (it would be stale by then). @default not followed
   */
  sendProgress?: (progress: ItemProgressEvent) => void;
  /** Stops following (the client went away). */
  signal: AbortSignal;
}

/**
 * Sends the backlog from the durable log, then live events, with nothing lost or repeated in
 * between: it subscribes before reading the backlog, holds live events until the backlog is sent,
 * and sends each sequence at most once, in order. Resolves after sending the batch's `batch-end`
 * (or at once when the client's Last-Event-ID is already past it), or when `signal` aborts.
 */
export async function followBatchEvents({ store, queue, batchId, afterSequence, send, sendProgress, signal }: FollowBatchEventsOptions): Promise<void> {
  let lastSent = afterSequence;
  let lastSentType: BatchEvent['type'] | undefined;
  let heldLive: BatchEvent[] | undefined = [];
  // Set once the backlog is sent: a retried batch's backlog holds the batch-end of each earlier
  // run, and only a batch-end sent after it ends the current one.
  let markEnded: () => void = () => {};

  const deliver = (event: BatchEvent) => {
    if (event.sequence <= lastSent) return;
    send(event);
    lastSent = event.sequence;
    lastSentType = event.type;
    if (event.type === 'batch-end') markEnded();
  };
  // Live events arrive in order from one process; from several (workers sharing the batch, over
  // Redis) they may interleave, so a gap is filled from the durable log before the event is sent.
  let liveDelivery = Promise.resolve();
  const deliverLive = (event: BatchEvent) => {
    liveDelivery = liveDelivery
      .then(async () => {
        if (event.sequence > lastSent + 1) {
          (await store.listEvents(batchId, { afterSequence: lastSent, limit: Math.min(event.sequence - lastSent - 1, backlogPageSize) })).forEach(deliver);
        }
        deliver(event);
      })
      .catch(() => undefined);
  };
  const unsubscribe = queue.subscribe(batchId, (event) => {
    if (heldLive) heldLive.push(event);
    else deliverLive(event);
  });
  const unsubscribeProgress =
    sendProgress && queue.subscribeProgress
      ? queue.subscribeProgress(batchId, (progress) => {
          if (heldLive || lastSentType === 'batch-end') return;
          liveDelivery = liveDelivery.then(() => sendProgress(progress)).catch(() => undefined);
        })
      : () => {};

  try {
    for (;;) {
      const page = await store.listEvents(batchId, { afterSequence: lastSent, limit: backlogPageSize });
      page.forEach(deliver);
      if (page.length < backlogPageSize || signal.aborted) break;
    }
    const held = heldLive.sort((left, right) => left.sequence - right.sequence);
    heldLive = undefined;
    held.forEach(deliverLive);
    await liveDelivery;
    if (lastSentType === 'batch-end' || signal.aborted) return;
    const ended = new Promise<void>((resolve) => (markEnded = resolve));

    // Nothing sent so far ends the batch: it is still going, or it has ended and the client already
    // has the batch-end (the store logs it with the change that ends the batch). A batch-end
    // committed after the backlog was read may not have been published yet: read the log once more.
    const batch = await store.getBatch(batchId);
    if (batch && isFinishedStatus(batch.status)) {
      (await store.listEvents(batchId, { afterSequence: lastSent, limit: backlogPageSize })).forEach(deliver);
      return;
    }
    await Promise.race([ended, abortOf(signal)]);
  } finally {
    unsubscribe();
    unsubscribeProgress();
  }
}

function abortOf(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
