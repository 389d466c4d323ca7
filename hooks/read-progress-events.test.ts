import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '@/lib/core/events';
import { readProgressEvents } from './read-progress-events';

function streamOf(text: string, chunkSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += chunkSize) controller.enqueue(bytes.slice(offset, offset + chunkSize));
      controller.close();
    },
  });
}

const frame = (event: Record<string, unknown>) => `id: ${String(event.sequence)}\nevent: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
const counters = { batchId: 'b1', total: 1, completed: 0, failed: 0, etaMs: null };
const batchStart = { type: 'batch-start', ...counters, sequence: 1, provider: 'demo', model: 'm', isDemo: true, mode: 'text-to-image' };
const itemEnd = { type: 'item-end', ...counters, sequence: 2, completed: 1, etaMs: 0, index: 1, status: 'succeeded', data: 'AA==', mimeType: 'image/png' };
const batchEnd = { type: 'batch-end', ...counters, sequence: 3, completed: 1, status: 'completed', result: { images: [{ data: 'AA==', mimeType: 'image/png' }], success: 1, failed: 0 } };

describe('readProgressEvents', () => {
  it.each([1, 7, 4096])('parses validated events from chunks of %i bytes', async (chunkSize) => {
    const events: ProgressEvent[] = [];
    const text = `${frame(batchStart)}: keep-alive\n\n${frame(itemEnd)}${frame(batchEnd)}`;
    const result = await readProgressEvents(streamOf(text, chunkSize), { onEvent: (event) => events.push(event) });
    expect(events.map((event) => event.type)).toEqual(['batch-start', 'item-end', 'batch-end']);
    expect(result.sawBatchEnd).toBe(true);
  });

  it('skips and reports what does not match the schema instead of trusting it', async () => {
    const events: ProgressEvent[] = [];
    const problems: string[] = [];
    const text = `${frame({ ...itemEnd, index: 0 })}data: not json\n\n${frame(batchStart).replace('event: batch-start', 'event: item-end')}${frame(batchStart)}`;
    const result = await readProgressEvents(streamOf(text, 5), { onEvent: (event) => events.push(event), onInvalidEvent: (problem) => problems.push(problem) });
    expect(events.map((event) => event.type)).toEqual(['batch-start']);
    expect(problems).toHaveLength(3);
    expect(result.sawBatchEnd).toBe(false);
  });

  it('rejects when the body errors (an aborted fetch)', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(frame(batchStart)));
        controller.error(new DOMException('aborted', 'AbortError'));
      },
    });
    await expect(readProgressEvents(body, { onEvent: () => {} })).rejects.toThrow('aborted');
  });
});

describe('readProgressEvents at batch-end', () => {
  it('returns at batch-end without waiting for the server to close the stream', async () => {
    let isCanceled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(frame(batchStart) + frame(batchEnd)));
      },
      cancel() {
        isCanceled = true;
      },
    });
    const result = await readProgressEvents(body, { onEvent: () => {} });
    expect(result.sawBatchEnd).toBe(true);
    expect(isCanceled).toBe(true);
  });
});
