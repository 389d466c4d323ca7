import { describe, expect, it } from 'vitest';
import { progressEventSchema, type ProgressEvent } from '@/lib/core/events';
import { loadResponseSchemas } from './api-request';
import { eventsUrlAfter, followBatchEvents, progressEventTypes, type EventSourceLike } from './follow-batch-events';

/** Messages are handled once the schemas module has loaded, in order: lets them through. */
async function handled(): Promise<void> {
  await loadResponseSchemas();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  onerror: ((event: Event) => void) | null = null;
  isClosed = false;
  readonly listeners = new Map<string, (message: MessageEvent<string>) => void>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (message: MessageEvent<string>) => void) {
    this.listeners.set(type, listener);
  }
  close() {
    this.isClosed = true;
    this.readyState = 2;
  }
  emit(type: string, data: unknown, id: string) {
    this.listeners.get(type)?.(new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data), lastEventId: id }));
  }
  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.(new Event('error'));
  }
}

const counters = { batchId: 'b1', total: 2, completed: 0, failed: 0, etaMs: null };
const batchStart = { type: 'batch-start', ...counters, sequence: 1, provider: 'demo', model: 'm', isDemo: true, mode: 'text-to-image' };
const batchEnd = { type: 'batch-end', ...counters, sequence: 6, completed: 2, status: 'completed' };

function follow() {
  let source: FakeEventSource | undefined;
  const events: ProgressEvent[] = [];
  const steps: string[] = [];
  const calls: string[] = [];
  const problems: string[] = [];
  const stop = followBatchEvents('/api/batches/b1/events', {
    onEvent: (event) => events.push(event),
    onEnd: () => calls.push('end'),
    onLost: () => calls.push('lost'),
    onInvalidEvent: (problem) => problems.push(problem),
    onItemProgress: (progress) => steps.push(`${progress.index}: ${progress.step}/${progress.totalSteps}`),
    createSource: (url) => (source = new FakeEventSource(url)),
  });
  return { source: source!, events, calls, problems, steps, stop };
}

describe('followBatchEvents', () => {
  it('listens for every type of the progress event schema', () => {
    expect([...progressEventTypes].sort()).toEqual(progressEventSchema.options.map((option) => option.shape.type.value).sort());
  });

  it('hands over validated events and skips what breaks the schema or is misnamed', async () => {
    const { source, events, problems } = follow();
    source.emit('batch-start', batchStart, '1');
    source.emit('item-start', { ...batchStart, type: 'item-start' }, '2');
    source.emit('item-end', 'not json', '3');
    source.emit('batch-start', batchStart, '1');
    source.emit('item-start', { type: 'item-start', ...counters, sequence: 2, index: 1, attempt: 1 }, '2');
    await handled();
    expect(events.map((event) => event.type)).toEqual(['batch-start', 'batch-start', 'item-start']);
    expect(problems).toHaveLength(2);
  });

  it('hands over valid step progress apart from the logged events, and skips a malformed one', async () => {
    const { source, events, steps, problems } = follow();
    source.emit('item-progress', { type: 'item-progress', batchId: 'b1', index: 2, step: 5, totalSteps: 20 }, '');
    source.emit('item-progress', { type: 'item-progress', batchId: 'b1', index: 2, step: 'five', totalSteps: 20 }, '');
    await handled();
    expect(steps).toEqual(['2: 5/20']);
    expect(events).toEqual([]);
    expect(problems).toHaveLength(1);
  });

  it('stops at the close that follows batch-end, instead of reconnecting', async () => {
    const { source, calls } = follow();
    source.emit('batch-end', batchEnd, '6');
    source.fail(0);
    await handled();
    expect(calls).toEqual(['end']);
    expect(source.isClosed).toBe(true);
  });

  it('lets the browser reconnect after a dropped connection mid-batch, and reports a refused stream', async () => {
    const { source, calls } = follow();
    source.emit('batch-start', batchStart, '1');
    source.fail(0);
    await handled();
    expect(calls).toEqual([]);
    expect(source.isClosed).toBe(false);
    source.fail(2);
    await handled();
    expect(calls).toEqual(['lost']);
  });

  it('delivers nothing after stop()', async () => {
    const { source, events, stop } = follow();
    stop();
    source.emit('batch-start', batchStart, '1');
    await handled();
    expect(events).toEqual([]);
  });

  it('resumes after a sequence with ?lastEventId=', async () => {
    expect(eventsUrlAfter('/api/batches/b1/events', 0)).toBe('/api/batches/b1/events');
    expect(eventsUrlAfter('/api/batches/b1/events', 12)).toBe('/api/batches/b1/events?lastEventId=12');
  });
});
