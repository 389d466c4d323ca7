import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@/lib/core/events';
import type { BatchItemViewData, BatchViewData } from './batch-view-schema';
import {
  displayRunOf,
  resumeSequenceOf,
  runFromView,
  serverBatchesReducer,
  type ServerBatchesAction,
  type ServerBatchesState,
} from './server-batch-state';

type ItemState = BatchItemViewData['status'];

function view(statuses: ItemState[], overrides: Partial<BatchViewData> = {}): BatchViewData {
  const items = statuses.map((status, offset): BatchItemViewData => ({
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

const loaded = (batchView: BatchViewData) => reduce({ batches: [] }, { type: 'add', views: [batchView], position: 'end' });
const shown = (state: ServerBatchesState) => displayRunOf(state.batches[0]!);
const receive = (event: ProgressEvent): ServerBatchesAction => ({ type: 'event', batchId: 'b1', event, receivedAt: 5000 });

/** Replays `events` after `follow`, recording what the page shows after each one. */
function replay(state: ServerBatchesState, events: ProgressEvent[]) {
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
    expect(run.slots[0]?.image).toEqual({ url: '/api/images/img-1.png', mimeType: 'image/png' });
    expect(run.slots[1]).toMatchObject({ error: 'Blocked by the safety filter', details: 'injected' });
    expect(run.status).toBe('partial');
    expect(run.provider).toEqual({ id: 'demo', model: 'demo-shapes-v1', isDemo: true });
  });

  it('shows a queued or running batch as running', () => {
    expect(runFromView(view(['queued', 'queued'])).status).toBe('running');
    const run = runFromView(view(['succeeded', 'running', 'queued']));
    expect(run).toMatchObject({ status: 'running', finished: 1, endedAt: null });
  });
});

describe('following a batch after a reload', () => {
  const log = new Log(8).start().item(1, 'succeeded').item(2, 'failed').item(3, 'succeeded').startItem(4);
  const midway = view(['succeeded', 'failed', 'succeeded', 'running', 'queued', 'queued', 'queued', 'queued']);

  it('keeps the snapshot until the replay reaches it: progress never moves back', () => {
    const { state, frames } = replay(loaded(midway), log.events);
    const finished = frames.map((run) => run.finished);
    expect(finished).toEqual([...finished].sort((left, right) => left - right));
    expect(finished[0]).toBe(3);
    expect(frames.every((run) => run.status === 'running')).toBe(true);
    expect(state.batches[0]?.isCaughtUp).toBe(true);
    // Until item 4's start is replayed, the log is behind the snapshot (which has it running).
    expect(reduce(replay(loaded(midway), log.events.slice(0, -1)).state).batches[0]?.isCaughtUp).toBe(false);
    expect(shown(state).slots[1]).toMatchObject({ status: 'failed', error: 'Blocked by the safety filter' });
  });

  it('then continues live; repeated events (a reconnect overlap) change nothing', () => {
    const { state } = replay(loaded(midway), log.events);
    const live = new Log(8).start().item(1, 'succeeded').item(2, 'failed').item(3, 'succeeded').item(4, 'succeeded');
    const next = reduce(state, receive(live.events[7]!), receive(live.events[8]!));
    expect(live.events[8]).toMatchObject({ type: 'item-end', index: 4 });
    expect(shown(next).slots[3]).toMatchObject({ status: 'succeeded', image: { url: '/api/images/img-4.png' } });
    expect(shown(next).finished).toBe(4);
    expect(reduce(next, receive(live.events[8]!), receive(live.events[2]!))).toBe(next);
    expect(resumeSequenceOf(next.batches[0]!)).toBe(9);
  });

  it('a log that never reaches the snapshot (cut by a crash) is the truth once the server closes the stream', () => {
    const cut = new Log(2).start().item(1, 'succeeded').end('completed');
    const { state } = replay(loaded(view(['succeeded', 'running'])), cut.events);
    expect(shown(state).status).toBe('running');
    const ended = reduce(state, { type: 'stream-end', batchId: 'b1' });
    expect(shown(ended).status).toBe('completed');
  });

  it('a retried batch: no end is shown for the earlier run while its log replays', () => {
    const retried = new Log(3).start().item(1, 'succeeded').item(2, 'failed').item(3, 'succeeded').end('partial').retry();
    const snapshot = view(['succeeded', 'queued', 'succeeded'], { status: 'queued' });
    snapshot.items![1]!.attempts = 1;
    const { state, frames } = replay(loaded(snapshot), retried.events);
    expect(frames.every((run) => run.status === 'running')).toBe(true);
    expect(state.batches[0]?.isCaughtUp).toBe(true);
    expect(shown(state).slots.map((slot) => slot.status)).toEqual(['succeeded', 'queued', 'succeeded']);
  });

  it('resumes after the snapshot sequence when the server gives one, without a replay', () => {
    const state = reduce(loaded({ ...midway, lastSequence: 7 }), { type: 'follow', batchId: 'b1' });
    expect(resumeSequenceOf(state.batches[0]!)).toBe(7);
    expect(shown(state).finished).toBe(3);
  });
});

describe('retry of a followed batch', () => {
  it('reopens at once, then follows the new run: the failed item runs again', () => {
    const log = new Log(3).start().item(1, 'succeeded').item(2, 'failed').item(3, 'succeeded').end('partial');
    let state = replay(loaded(view(['queued', 'queued', 'queued'])), log.events).state;
    state = reduce(state, { type: 'stream-end', batchId: 'b1' });
    expect(shown(state).status).toBe('partial');

    const requeued = view(['succeeded', 'queued', 'succeeded']);
    state = reduce(state, { type: 'retried', view: requeued, at: 9000 });
    expect(shown(state)).toMatchObject({ status: 'running', finished: 2, startedAt: 9000 });
    expect(shown(state).slots[1]).toEqual({ index: 2, status: 'queued', attempt: 1 });
    expect(resumeSequenceOf(state.batches[0]!)).toBe(log.events.length);

    const again = log.retry().item(2, 'failed').end('partial');
    const tail = again.events.slice(8);
    const runningAgain = reduce(state, { type: 'follow', batchId: 'b1' }, receive(tail[0]!), receive(tail[1]!));
    expect(shown(runningAgain).slots[1]?.status).toBe('running');
    const ended = reduce(runningAgain, ...tail.slice(2).map(receive));
    expect(shown(ended)).toMatchObject({ status: 'partial', finished: 3 });
    expect(shown(ended).slots[1]).toMatchObject({ status: 'failed', error: 'Blocked by the safety filter' });
  });

  it('a lost stream falls back to what was last shown, never to an older snapshot', () => {
    const log = new Log(3).start().item(1, 'succeeded').item(2, 'succeeded');
    const { state } = replay(loaded(view(['queued', 'queued', 'queued'])), log.events);
    const lost = reduce(state, { type: 'stream-lost', batchId: 'b1' });
    expect(shown(lost).finished).toBe(2);
    expect(lost.batches[0]?.live).toBeNull();
  });
});
