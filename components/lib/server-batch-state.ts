import type { ItemProgressEvent, ProgressEvent } from '@/lib/core/events';
import type { BatchItemView, BatchView } from '@/lib/core/api-views';
import { applyItemProgress, applyProgressEvent, createRun, promptOfIndex, type BatchRun, type Slot, type SlotStatus } from './batch-state';

/**
 * The page's picture of the batches the server keeps (every batch): the last answer from the API
 * (the snapshot) and, while the page follows a batch's event stream, the run moved on by its events
 * (live). The stream resumes right after the view's `lastSequence`, so the live run starts from the
 * snapshot and progress never moves back after a reload. Pure: no timers, no fetches.
 */

export interface ServerBatch {
  view: BatchView;
  /** The batch as the API last described it. */
  snapshot: BatchRun;
  /** The batch as moved on by its event stream; null while the page does not follow it. */
  live: BatchRun | null;
}

export interface ServerBatchesState {
  /** Newest first. */
  batches: ServerBatch[];
}

export type ServerBatchesAction =
  /** New batches: one just created (`start`), or an older page (`end`). Known ids are kept as they are. */
  | { type: 'add'; views: BatchView[]; position: 'start' | 'end' }
  /** A fresher answer from the API (after cancel, at the end of a stream, or while polling). */
  | { type: 'snapshot'; view: BatchView }
  /** The retry was accepted: the failed and canceled images are queued again. */
  | { type: 'retried'; view: BatchView; at: number }
  /** The batch was deleted: its card goes. */
  | { type: 'remove'; batchId: string }
  /** One item changed outside the run (a favorite, a deleted image): the view, the snapshot and the live run take it. */
  | { type: 'item'; batchId: string; item: BatchItemView }
  /** A search: these batches in place of the list (those in `keepIds` stay, first). */
  | { type: 'replace'; views: BatchView[]; keepIds: readonly string[] }
  /** The page opens the batch's event stream. */
  | { type: 'follow'; batchId: string }
  | { type: 'event'; batchId: string; event: ProgressEvent; receivedAt: number }
  /** A running image's step report (live only). */
  | { type: 'item-progress'; progress: ItemProgressEvent }
  /** The stream can't be followed (an HTTP error): back to the snapshot, which the page polls. */
  | { type: 'stream-lost'; batchId: string };

export const clientIdOf = (batchId: string) => `batch:${batchId}`;

type StoredStatus = BatchView['status'];

export function isActiveStatus(status: StoredStatus): status is 'queued' | 'running' {
  return status === 'queued' || status === 'running';
}

/** Batches per page of the saved history. */
export const historyPageSize = 10;

export interface HistoryPage {
  /** Newest first. */
  batches: BatchView[];
  /** For the next page; null when there is none. */
  nextCursor: string | null;
  /** Why the page could not be loaded (the server's store is unavailable, say). */
  error?: string;
}

export function displayRunOf(batch: ServerBatch): BatchRun {
  return batch.live ?? batch.snapshot;
}

export function toSlot(item: BatchItemView): Slot {
  const slot: Slot = { index: item.index, prompt: item.prompt, status: item.status, attempt: item.attempts };
  if (item.status === 'succeeded') {
    if (item.imageDeletedAt) return { ...slot, status: 'deleted' };
    return item.imageUrl
      ? {
          ...slot,
          image: { url: item.imageUrl, mimeType: item.mimeType ?? 'image/png', ...(item.imageId ? { imageId: item.imageId } : {}) },
          ...(item.isFavorite ? { isFavorite: true } : {}),
        }
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

/** The batch as the API describes it, in the shape the page draws. */
export function runFromView(view: BatchView): BatchRun {
  const empty = createRun({
    clientId: clientIdOf(view.id),
    prompts: view.prompts.length > 0 ? view.prompts : [view.prompt],
    imagesPerPrompt: view.numberOfImages,
    aspectRatio: view.aspectRatio ?? '1:1',
    mode: view.mode,
    provider: { id: view.provider, model: view.model, isDemo: view.isDemo },
    startedAt: Date.parse(view.createdAt),
  });
  const slots = view.items
    ? view.items.map(toSlot)
    : Array.from({ length: view.total }, (_, offset): Slot => ({
        index: offset + 1,
        prompt: promptOfIndex(empty.prompts, view.total, offset + 1),
        status: 'queued',
        attempt: 0,
      }));
  // A deleted image was made: it counts as finished (the bar, "Done") like the image it was.
  const succeeded = countSlots(slots, 'succeeded') + countSlots(slots, 'deleted');
  const failed = countSlots(slots, 'failed');
  const { status } = view;
  const isActive = isActiveStatus(status);
  const settings = {
    ...(view.size ? { size: view.size } : {}),
    ...(view.quality ? { quality: view.quality } : {}),
    ...(view.outputFormat ? { outputFormat: view.outputFormat } : {}),
    ...(view.background ? { background: view.background } : {}),
  };
  return {
    ...empty,
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
    batchId: view.id,
    status: isActive ? 'running' : status,
    endedAt: isActive ? null : Date.parse(view.updatedAt),
    slots,
    succeeded,
    failed,
    finished: isActive || view.status === 'canceled' ? succeeded + failed : view.total,
    lastSequence: view.lastSequence,
  };
}

/**
 * A retry started another run: what had failed or was canceled is queued again. The batch keeps its
 * start time (the card's time, the total elapsed); the retry notes its own start and images.
 */
export function reopenRun(run: BatchRun, at: number): BatchRun {
  const isRetried = (slot: Slot) => slot.status === 'failed' || slot.status === 'canceled';
  const indexes = run.slots.filter(isRetried).map((slot) => slot.index);
  const slots = run.slots.map((slot): Slot => (isRetried(slot) ? { index: slot.index, prompt: slot.prompt, status: 'queued', attempt: slot.attempt } : slot));
  const succeeded = countSlots(slots, 'succeeded');
  return { ...run, status: 'running', endedAt: null, etaMs: null, slots, succeeded, failed: 0, finished: succeeded, ...(indexes.length > 0 ? { retry: { indexes, startedAt: at } } : {}) };
}

/** One event of a batch's stream: images come by URL, and a `batch-start` after the end is a retry. */
export function applyLiveEvent(run: BatchRun, event: ProgressEvent, receivedAt: number): BatchRun {
  const isNewRun = event.type === 'batch-start' && run.status !== 'running' && event.sequence > run.lastSequence;
  const current = isNewRun ? reopenRun(run, receivedAt) : run;
  const image =
    event.type === 'item-end' && event.status === 'succeeded' && event.imageUrl
      ? { url: event.imageUrl, mimeType: event.mimeType ?? 'image/png', ...(event.imageId ? { imageId: event.imageId } : {}) }
      : undefined;
  return applyProgressEvent(current, event, receivedAt, image);
}

export function toServerBatch(view: BatchView): ServerBatch {
  return { view, snapshot: runFromView(view), live: null };
}

/** Following starts from the snapshot, right after its sequence; a batch already followed goes on from where it is. */
export function startFollowing(batch: ServerBatch): ServerBatch {
  return batch.live ? batch : { ...batch, live: batch.snapshot };
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

/** A snapshot newer than the live run (it saw later events: a cancel's answer, say) takes its place. */
function takeSnapshot(batch: ServerBatch, view: BatchView): ServerBatch {
  const snapshot = runFromView(view);
  const isNewer = batch.live !== null && view.lastSequence > batch.live.lastSequence;
  return { ...batch, view, snapshot, live: isNewer ? snapshot : batch.live };
}

/** One item as the API now describes it, in the view, the snapshot and (same slot) the live run. */
function changeItem(batch: ServerBatch, item: BatchItemView): ServerBatch {
  const items = batch.view.items?.map((current) => (current.index === item.index ? item : current));
  if (!items) return batch;
  const view = { ...batch.view, items };
  const slot = toSlot(item);
  const live = batch.live ? { ...batch.live, slots: batch.live.slots.map((current) => (current.index === item.index ? slot : current)) } : null;
  return { view, snapshot: runFromView(view), live };
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
      return updateBatch(state, action.view.id, (batch) => takeSnapshot(batch, action.view));
    case 'retried':
      // The retry's scope comes from what the page showed: the stream followed next starts from the snapshot.
      return updateBatch(state, action.view.id, (batch) => {
        const reopened = reopenRun(displayRunOf(batch), action.at);
        return {
          ...batch,
          view: action.view,
          snapshot: reopened.retry ? { ...runFromView(action.view), retry: reopened.retry } : runFromView(action.view),
          live: batch.live ? reopened : null,
        };
      });
    case 'remove': {
      const batches = state.batches.filter((batch) => batch.view.id !== action.batchId);
      return batches.length === state.batches.length ? state : { batches };
    }
    case 'item':
      return updateBatch(state, action.batchId, (batch) => changeItem(batch, action.item));
    case 'replace': {
      const kept = state.batches.filter((batch) => action.keepIds.includes(batch.view.id));
      const keptIds = new Set(kept.map((batch) => batch.view.id));
      const known = new Map(state.batches.map((batch) => [batch.view.id, batch]));
      // A batch already shown keeps its live run; the others start from the answer.
      const found = action.views.filter((view) => !keptIds.has(view.id)).map((view) => {
        const existing = known.get(view.id);
        return existing ? takeSnapshot(existing, view) : toServerBatch(view);
      });
      return { batches: [...kept, ...found] };
    }
    case 'follow':
      return updateBatch(state, action.batchId, startFollowing);
    case 'event':
      return updateBatch(state, action.batchId, (batch) => {
        if (!batch.live) return batch;
        const live = applyLiveEvent(batch.live, action.event, action.receivedAt);
        return live === batch.live ? batch : { ...batch, live };
      });
    case 'item-progress':
      return updateBatch(state, action.progress.batchId, (batch) => {
        if (!batch.live) return batch;
        const live = applyItemProgress(batch.live, action.progress);
        return live === batch.live ? batch : { ...batch, live };
      });
    case 'stream-lost':
      return updateBatch(state, action.batchId, (batch) => ({ ...batch, snapshot: displayRunOf(batch), live: null }));
  }
}
