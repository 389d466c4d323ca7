import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@/lib/core/events';
import type { BatchItemView, BatchView } from '@/lib/core/api-views';
import {
  displayRunOf,
  resumeSequenceOf,
  runFromView,
  serverBatchesReducer,
  type ServerBatchesAction,
  type ServerBatchesState,
} from './server-batch-state';

type ItemState = BatchItemView['status'];

function view(statuses: ItemState[], overrides: Partial<BatchView> = {}): BatchView {
  const items = statuses.map((status, offset): BatchItemView => ({
    index: offset + 1,
    prompt: 'a fox',
    status,
    attempts: status === 'queued' || status === 'running' ? 0 : 1,
    ...(status === 'succeeded' ? { imageId: `img-${offset + 1}.png`, imageUrl: `/api/images/img-${offset + 1}.png`, mimeType: 'image/png' } : {}),
    ...(status === 'failed' ? { error: { kind: 'safety_blocked', message: 'Blocked by the safety filter', details: 'injected' } } : {}),
  }));
  const count = (status: ItemState) => statuses.filter((candidate) => candidate === status).length;
  const isActive = statuses.some((status) => status === 'queued' || status === 'running');
  return {
    id: 'b1',
    createdAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:00:05.000Z',
    prompt: 'a fox',
    prompts: ['a fox'],
    mode: 'text-to-image',
    provider: 'demo',
    model: 'demo-shapes-v1',
    isDemo: true,
    aspectRatio: '1:1',
    numberOfImages: statuses.length,
    status: isActive ? (statuses.every((status) => status === 'queued') ? 'queued' : 'running') : count('failed') > 0 ? 'partial' : 'completed',
    total: statuses.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    canceled: count('canceled'),
    costUsd: 0,
    lastSequence: 0,
    url: '/api/batches/b1',
    eventsUrl: '/api/batches/b1/events',
    zipUrl: '/api/batches/b1/zip',
    items,
    ...overrides,
  };
}

/** The durable log as the server writes it: one item at a time, `failing` items fail. */
class Log {
  readonly events: ProgressEvent[] = [];
  private completed = 0;
  private failed = 0;
  constructor(private readonly total: number) {}
  private counters() {
    return { batchId: 'b1', sequence: this.events.length + 1, total: this.total, completed: this.completed, failed: this.failed, etaMs: null };
  }
  start(): this {
    this.events.push({ type: 'batch-start', ...this.counters(), provider: 'demo', model: 'demo-shapes-v1', isDemo: true, mode: 'text-to-image' });
    return this;
  }
  startItem(index: number): this {
    this.events.push({ type: 'item-start', ...this.counters(), index, attempt: 1 });
    return this;
  }
  item(index: number, outcome: 'succeeded' | 'failed'): this {
    this.startItem(index);
    if (outcome === 'succeeded') this.completed += 1;
    else this.failed += 1;
    this.events.push(
      outcome === 'succeeded'
        ? { type: 'item-end', ...this.counters(), index, status: 'succeeded', imageId: `img-${index}.png`, imageUrl: `/api/images/img-${index}.png`, mimeType: 'image/png' }
        : { type: 'item-end', ...this.counters(), index, status: 'failed', kind: 'safety_blocked', error: 'Blocked by the safety filter' },
    );
    return this;
  }
  end(status: 'completed' | 'partial'): this {
    this.events.push({ type: 'batch-end', ...this.counters(), status });
    return this;
  }
  /** A retry requeues the failed items: they no longer count as failed. */
  retry(): this {
    this.failed = 0;
    return this.start();
  }
}

function reduce(state: ServerBatchesState, ...actions: ServerBatchesAction[]): ServerBatchesState {
  return actions.reduce(serverBatchesReducer, state);
}

const loaded = (batchView: BatchView) => reduce({ batches: [] }, { type: 'add', views: [batchView], position: 'end' });
const shown = (state: ServerBatchesState) => displayRunOf(state.batches[0]!);
const receive = (event: ProgressEvent): ServerBatchesAction => ({ type: 'event', batchId: 'b1', event, receivedAt: 5000 });

/** Follows the batch, then applies `events`, recording what the page shows after each one. */
function follow(state: ServerBatchesState, events: ProgressEvent[]) {
  let current = reduce(state, { type: 'follow', batchId: 'b1' });
  const frames = [shown(current)];
  for (const event of events) {
    current = reduce(current, receive(event));
    frames.push(shown(current));
  }
  return { state: current, frames };
}

describe('a saved batch as the page shows it', () => {
  it('takes statuses, image URLs and failure reasons from the API', () => {
    const run = runFromView(view(['succeeded', 'failed', 'canceled']));
    expect(run.slots.map((slot) => slot.status)).toEqual(['succeeded', 'failed', 'canceled']);
    expect(run.slots[0]?.image).toEqual({ url: '/api/images/img-1.png', mimeType: 'image/png', imageId: 'img-1.png' });
    expect(run.slots[1]).toMatchObject({ error: 'Blocked by the safety filter', details: 'injected' });
    expect(run.status).toBe('partial');
    expect(run.provider).toEqual({ id: 'demo', model: 'demo-shapes-v1', isDemo: true });
  });

  it('shows a queued or running batch as running', () => {
    expect(runFromView(view(['queued', 'queued'])).status).toBe('running');
    const run = runFromView(view(['succeeded', 'running', 'queued']));
    expect(run).toMatchObject({ status: 'running', finished: 1, endedAt: null });
  });

  it('keeps every prompt of a batch of several, and each image’s own', () => {
    const batch = view(['succeeded', 'succeeded', 'failed'], { prompt: 'a red fox', prompts: ['a red fox', 'a blue whale', 'a green frog'], numberOfImages: 1 });
    batch.items = batch.items!.map((item, offset) => ({ ...item, prompt: batch.prompts[offset]! }));
    const run = runFromView(batch);
    expect(run.prompts).toEqual(['a red fox', 'a blue whale', 'a green frog']);
    expect(run.slots.map((slot) => slot.prompt)).toEqual(['a red fox', 'a blue whale', 'a green frog']);
    const { items: _items, ...withoutItems } = batch;
    expect(runFromView(withoutItems).slots.map((slot) => slot.prompt)).toEqual(['a red fox', 'a blue whale', 'a green frog']);
  });
});

describe('following a batch after a reload', () => {
  // Items 1-3 ended and item 4 started: events 1 to 8 are in the snapshot.
  const log = new Log(8).start().item(1, 'succeeded').item(2, 'failed').item(3, 'succeeded').item(4, 'succeeded');
  const midway = view(['succeeded', 'failed', 'succeeded', 'running', 'queued', 'queued', 'queued', 'queued'], { lastSequence: 8 });

  it('resumes right after the snapshot’s sequence: progress goes on from it, never back', () => {
    const loadedState = loaded(midway);
    expect(resumeSequenceOf(loadedState.batches[0]!)).toBe(8);
    const { state, frames } = follow(loadedState, log.events.slice(8));
    expect(frames.map((run) => run.finished)).toEqual([3, 4]);
    expect(shown(state).slots[3]).toMatchObject({ status: 'succeeded', image: { url: '/api/images/img-4.png' } });
    expect(shown(state).slots[1]).toMatchObject({ status: 'failed', error: 'Blocked by the safety filter' });
    expect(resumeSequenceOf(state.batches[0]!)).toBe(9);
  });

  it('ignores what the snapshot already has and repeated events (a reconnect overlap)', () => {
    const { state } = follow(loaded(midway), log.events.slice(8));
    expect(reduce(state, receive(log.events[8]!), receive(log.events[2]!))).toBe(state);
    const replayed = follow(loaded(midway), log.events.slice(0, 8));
    expect(replayed.frames.every((run) => run.finished === 3)).toBe(true);
  });

  it('a fresher snapshot (a cancel’s answer) takes the live run’s place; an older one does not', () => {
    const { state } = follow(loaded(midway), log.events.slice(8));
    const stale = reduce(state, { type: 'snapshot', view: midway });
    expect(shown(stale).finished).toBe(4);
    const canceled = view(['succeeded', 'failed', 'succeeded', 'succeeded', 'canceled', 'canceled', 'canceled', 'canceled'], {
      status: 'canceled',
      lastSequence: 12,
    });
    const after = reduce(state, { type: 'snapshot', view: canceled });
    expect(shown(after).status).toBe('canceled');
    expect(shown(after).slots[7]?.status).toBe('canceled');
  });
});

describe('retry of a followed batch', () => {
  it('reopens at once, then follows the new run: the failed item runs again', () => {
    const log = new Log(3).start().item(1, 'succeeded').item(2, 'failed').item(3, 'succeeded').end('partial');
    let state = follow(loaded(view(['queued', 'queued', 'queued'])), log.events).state;
    expect(shown(state).status).toBe('partial');

    const requeued = view(['succeeded', 'queued', 'succeeded'], { lastSequence: log.events.length });
    state = reduce(state, { type: 'retried', view: requeued, at: 9000 });
    expect(shown(state)).toMatchObject({ status: 'running', finished: 2, retry: { indexes: [2], startedAt: 9000 } });
    expect(shown(state).slots[1]).toEqual({ index: 2, prompt: 'a fox', status: 'queued', attempt: 1 });
    expect(resumeSequenceOf(state.batches[0]!)).toBe(log.events.length);
    // Not followed yet (after a reload, say): the snapshot knows the retry's scope, for its progress.
    expect(state.batches[0]!.snapshot.retry).toEqual({ indexes: [2], startedAt: 9000 });

    const again = log.retry().item(2, 'failed').end('partial');
    const tail = again.events.slice(8);
    const runningAgain = reduce(state, { type: 'follow', batchId: 'b1' }, receive(tail[0]!), receive(tail[1]!));
    expect(shown(runningAgain).slots[1]?.status).toBe('running');
    const ended = reduce(runningAgain, ...tail.slice(2).map(receive));
    expect(shown(ended)).toMatchObject({ status: 'partial', finished: 3 });
    expect(shown(ended).slots[1]).toMatchObject({ status: 'failed', error: 'Blocked by the safety filter' });
  });

  it('a batch that ended before the page followed it runs again from its retry answer', () => {
    const requeued = view(['succeeded', 'queued'], { status: 'queued', lastSequence: 7 });
    const state = reduce(loaded(view(['succeeded', 'failed'], { lastSequence: 6 })), { type: 'retried', view: requeued, at: 9000 });
    expect(shown(state).status).toBe('running');
    expect(resumeSequenceOf(state.batches[0]!)).toBe(7);
  });

  it('a lost stream falls back to what was last shown, never to an older snapshot', () => {
    const log = new Log(3).start().item(1, 'succeeded').item(2, 'succeeded');
    const { state } = follow(loaded(view(['queued', 'queued', 'queued'])), log.events);
    const lost = reduce(state, { type: 'stream-lost', batchId: 'b1' });
    expect(shown(lost).finished).toBe(2);
    expect(lost.batches[0]?.live).toBeNull();
  });
});

describe('a deleted batch', () => {
  it('leaves the list; deleting an unknown id changes nothing', () => {
    const state = loaded(view(['succeeded']));
    expect(reduce(state, { type: 'remove', batchId: 'b1' }).batches).toEqual([]);
    expect(reduce(state, { type: 'remove', batchId: 'other' })).toBe(state);
  });
});

describe('find and keep in the page state', () => {
  it('an item change (a favorite, a deleted image) reaches the view, the snapshot and the live run alike', () => {
    const start: ServerBatchesState = { batches: [] };
    let state = serverBatchesReducer(start, { type: 'add', views: [view(['succeeded', 'succeeded', 'failed'])], position: 'start' });
    state = serverBatchesReducer(state, { type: 'follow', batchId: 'b1' });
    const favorite: BatchItemView = { ...view(['succeeded']).items![0]!, index: 2, imageId: 'img-2.png', imageUrl: '/api/images/img-2.png', isFavorite: true };
    state = serverBatchesReducer(state, { type: 'item', batchId: 'b1', item: favorite });
    const [batch] = state.batches;
    expect(batch!.view.items![1]!.isFavorite).toBe(true);
    expect(batch!.snapshot.slots[1]).toMatchObject({ status: 'succeeded', isFavorite: true, image: { imageId: 'img-2.png' } });
    expect(displayRunOf(batch!).slots[1]!.isFavorite).toBe(true);

    const { imageId: _imageId, imageUrl: _imageUrl, mimeType: _mimeType, ...kept } = view(['succeeded']).items![0]!;
    state = serverBatchesReducer(state, { type: 'item', batchId: 'b1', item: { ...kept, imageDeletedAt: '2025-01-01T11:00:00.000Z' } });
    const run = displayRunOf(state.batches[0]!);
    expect(run.slots.map((slot) => slot.status)).toEqual(['deleted', 'succeeded', 'failed']);
    // A deleted image was made: the batch stays as finished as it was.
    expect(runFromView(state.batches[0]!.view)).toMatchObject({ status: 'partial', finished: 3 });
  });

  it('a search replaces the list, keeping the batch of the live area first and the runs of batches it shows still', () => {
    const other = view(['succeeded'], { id: 'b2', url: '/api/batches/b2' });
    const third = view(['queued'], { id: 'b3', url: '/api/batches/b3', status: 'queued' });
    let state = serverBatchesReducer({ batches: [] }, { type: 'add', views: [third, view(['succeeded']), other], position: 'start' });
    state = serverBatchesReducer(state, { type: 'follow', batchId: 'b3' });
    const followed = state.batches[0]!;
    state = serverBatchesReducer(state, { type: 'replace', views: [other], keepIds: ['b3'] });
    expect(state.batches.map((batch) => batch.view.id)).toEqual(['b3', 'b2']);
    expect(state.batches[0]).toBe(followed);
    expect(serverBatchesReducer(state, { type: 'replace', views: [], keepIds: [] }).batches).toEqual([]);
  });
});
