import type { ProgressEvent } from '@/lib/core/events';
import { applyProgressEvent, createRun, type BatchRun, type Slot, type SlotStatus } from './batch-state';
import type { BatchItemViewData, BatchViewData } from './batch-view-schema';

/**
 * The page's picture of the batches kept by the server (background batches, 5+ images): the last
 * answer from the API (the snapshot) and, while the page follows a batch's event stream, the run
 * built from its events (live). Pure: no timers, no fetches.
 *
 * Without a sequence in the snapshot, following a batch means replaying its log from the first
 * event; the page keeps showing the snapshot until the replay has caught up with it, so progress
 * never moves back after a reload.
 */

export interface ServerBatch {
  view: BatchViewData;
  /** The batch as the API last described it. */
  snapshot: BatchRun;
  /** The batch as built from its event stream; null while the page does not follow it. */
  live: BatchRun | null;
  /** `batch-start` events applied to `live` (each retry of the batch starts another run). */
  liveRuns: number;
  /** `live` has reached the snapshot: from then on the page shows `live`. */
  isCaughtUp: boolean;
}

export interface ServerBatchesState {
  /** Newest first. */
  batches: ServerBatch[];
}

export type ServerBatchesAction =
  /** New batches: one just created (`start`), or an older page (`end`). Known ids are kept as they are. */
  | { type: 'add'; views: BatchViewData[]; position: 'start' | 'end' }
  /** A fresher answer from the API (after cancel, or while polling). */
  | { type: 'snapshot'; view: BatchViewData }
  /** The retry was accepted: the failed and canceled images are queued again. */
  | { type: 'retried'; view: BatchViewData; at: number }
  /** The page opens the batch's event stream. */
  | { type: 'follow'; batchId: string }
  | { type: 'event'; batchId: string; event: ProgressEvent; receivedAt: number }
  /** The server closed the stream after the batch's last event: the live run is complete. */
  | { type: 'stream-end'; batchId: string }
  /** The stream can't be followed (an HTTP error): back to the snapshot, which the page polls. */
  | { type: 'stream-lost'; batchId: string };

export const clientIdOf = (batchId: string) => `batch:${batchId}`;

type StoredStatus = BatchViewData['status'];

export function isActiveStatus(status: StoredStatus): status is 'queued' | 'running' {
  return status === 'queued' || status === 'running';
}

/** Batches per page of the saved history. */
export const historyPageSize = 10;

export interface HistoryPage {
  /** Newest first. */
  batches: BatchViewData[];
  /** For the next page; null when there is none. */
  nextCursor: string | null;
  /** Why the page could not be loaded (the server's store is unavailable, say). */
  error?: string;
}

export function displayRunOf(batch: ServerBatch): BatchRun {
  return batch.isCaughtUp && batch.live ? batch.live : batch.snapshot;
}

function toSlot(item: BatchItemViewData): Slot {
  const slot: Slot = { index: item.index, status: item.status, attempt: item.attempts };
  if (item.status === 'succeeded') {
    return item.imageUrl
      ? { ...slot, image: { url: item.imageUrl, mimeType: item.mimeType ?? 'image/png' } }
      : { ...slot, status: 'failed', error: 'The image could not be shown' };
  }
  if (item.status === 'failed') {
    return { ...slot, error: item.error?.message ?? 'Failed', ...(item.error?.details ? { details: item.error.details } : {}) };
  }
  return slot;
}

function countSlots(slots: Slot[], status: SlotStatus): number {
  return slots.filter((slot) => slot.status === status).length;
}

/** A new run shell for the batch: every slot queued, no event applied yet. */
function emptyRunOf(view: BatchViewData): BatchRun {
  return createRun({
    clientId: clientIdOf(view.id),
    prompt: view.prompt,
    numberOfImages: view.total,
    aspectRatio: view.aspectRatio ?? '1:1',
    mode: view.mode,
    provider: { id: view.provider, model: view.model, isDemo: view.isDemo },
    startedAt: Date.parse(view.createdAt),
  });
}

/** The batch as the API describes it, in the shape the page draws. */
export function runFromView(view: BatchViewData): BatchRun {
  const empty = emptyRunOf(view);
  const slots = view.items ? view.items.map(toSlot) : empty.slots;
  const succeeded = countSlots(slots, 'succeeded');
  const failed = countSlots(slots, 'failed');
  const { status } = view;
  const isActive = isActiveStatus(status);
  return {
    ...empty,
    batchId: view.id,
    status: isActiveStatus(status) ? 'running' : status,
    endedAt: isActive ? null : Date.parse(view.updatedAt),
    slots,
    succeeded,
    failed,
    finished: isActive || view.status === 'canceled' ? succeeded + failed : view.total,
  };
}

/** A retry started another run: what had failed or was canceled is queued again. */
export function reopenRun(run: BatchRun, at: number): BatchRun {
  const slots = run.slots.map((slot): Slot =>
    slot.status === 'failed' || slot.status === 'canceled' ? { index: slot.index, status: 'queued', attempt: slot.attempt } : slot,
  );
  const succeeded = countSlots(slots, 'succeeded');
  const { problem: _problem, ...rest } = run;
  return { ...rest, status: 'running', startedAt: at, endedAt: null, etaMs: null, slots, succeeded, failed: 0, finished: succeeded };
}

/** One event of a durable batch's stream: images come by URL, and a `batch-start` after the end is a retry. */
export function applyLiveEvent(run: BatchRun, event: ProgressEvent, receivedAt: number): BatchRun {
  const isNewRun = event.type === 'batch-start' && run.status !== 'running' && event.sequence > run.lastSequence;
  const current = isNewRun ? reopenRun(run, receivedAt) : run;
  const image =
    event.type === 'item-end' && event.status === 'succeeded' && event.imageUrl
      ? { url: event.imageUrl, mimeType: event.mimeType ?? 'image/png' }
      : undefined;
  return applyProgressEvent(current, event, receivedAt, image);
}

const slotRank: Record<SlotStatus, number> = { queued: 0, running: 1, succeeded: 2, failed: 2, canceled: 2 };

/** Runs the log must hold before it can match the snapshot: an item queued again after it ran means a retry. */
function minimumRunsOf(view: BatchViewData): number {
  const wasRetried = (view.items ?? []).some((item) => item.attempts > 0 && (item.status === 'queued' || item.status === 'running'));
  return wasRetried ? 2 : 1;
}

/** Whether the replayed events have reached the snapshot: same phase, and no image behind it. */
export function hasCaughtUp(batch: ServerBatch): boolean {
  const { live, snapshot } = batch;
  if (!live || live.lastSequence < 0 || batch.liveRuns < minimumRunsOf(batch.view)) return false;
  if ((live.status === 'running') !== (snapshot.status === 'running')) return false;
  return snapshot.slots.every((slot, offset) => {
    const liveSlot = live.slots[offset];
    return liveSlot !== undefined && slotRank[liveSlot.status] >= slotRank[slot.status];
  });
}

export function toServerBatch(view: BatchViewData): ServerBatch {
  return { view, snapshot: runFromView(view), live: null, liveRuns: 0, isCaughtUp: false };
}

/**
 * Where the event stream should start: after the live run's last event when the page already
 * follows it, after the snapshot's sequence when the server gave one, else from the first event.
 */
export function startFollowing(batch: ServerBatch): ServerBatch {
  if (batch.live && batch.isCaughtUp) return batch;
  if (batch.view.lastSequence !== undefined) {
    return { ...batch, live: { ...batch.snapshot, lastSequence: batch.view.lastSequence }, liveRuns: Number.MAX_SAFE_INTEGER, isCaughtUp: true };
  }
  return { ...batch, live: emptyRunOf(batch.view), liveRuns: 0, isCaughtUp: false };
}

/** The `lastEventId` to open the stream with (0: from the first event). */
export function resumeSequenceOf(batch: ServerBatch): number {
  return Math.max(0, startFollowing(batch).live?.lastSequence ?? 0);
}

function updateBatch(state: ServerBatchesState, batchId: string, update: (batch: ServerBatch) => ServerBatch): ServerBatchesState {
  let isChanged = false;
  const batches = state.batches.map((batch) => {
    if (batch.view.id !== batchId) return batch;
    const next = update(batch);
    isChanged ||= next !== batch;
    return next;
  });
  return isChanged ? { batches } : state;
}

function withCatchUp(batch: ServerBatch): ServerBatch {
  return batch.isCaughtUp || !hasCaughtUp(batch) ? batch : { ...batch, isCaughtUp: true };
}

export function serverBatchesReducer(state: ServerBatchesState, action: ServerBatchesAction): ServerBatchesState {
  switch (action.type) {
    case 'add': {
      const known = new Set(state.batches.map((batch) => batch.view.id));
      const added = action.views.filter((view) => !known.has(view.id)).map(toServerBatch);
      if (added.length === 0) return state;
      return { batches: action.position === 'start' ? [...added, ...state.batches] : [...state.batches, ...added] };
    }
    case 'snapshot':
      return updateBatch(state, action.view.id, (batch) => withCatchUp({ ...batch, view: action.view, snapshot: runFromView(action.view) }));
    case 'retried':
      return updateBatch(state, action.view.id, (batch) => {
        const live = batch.live && batch.isCaughtUp ? reopenRun(batch.live, action.at) : null;
        return { ...batch, view: action.view, snapshot: runFromView(action.view), live, isCaughtUp: live !== null };
      });
    case 'follow':
      return updateBatch(state, action.batchId, startFollowing);
    case 'event':
      return updateBatch(state, action.batchId, (batch) => {
        if (!batch.live) return batch;
        const live = applyLiveEvent(batch.live, action.event, action.receivedAt);
        if (live === batch.live) return batch;
        const isNewRun = action.event.type === 'batch-start' && action.event.sequence > batch.live.lastSequence;
        return withCatchUp({ ...batch, live, liveRuns: batch.liveRuns + (isNewRun ? 1 : 0) });
      });
    case 'stream-end':
      return updateBatch(state, action.batchId, (batch) => (batch.live && !batch.isCaughtUp ? { ...batch, isCaughtUp: true } : batch));
    case 'stream-lost':
      return updateBatch(state, action.batchId, (batch) => ({ ...batch, snapshot: displayRunOf(batch), live: null, liveRuns: 0, isCaughtUp: false }));
  }
}
