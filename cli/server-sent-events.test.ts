import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from './server-sent-events';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('readServerSentEvents', () => {
  it('frames events across chunk boundaries, with ids, multi-line data, CRLF; skips comments and data-less blocks', async () => {
    const events = [];
    for await (const event of readServerSentEvents(streamOf('id: 1\ndata: {"a"', ':1}\n\n: keep-alive\n\nid: 2\r\ndata: line one\r\ndata: line two\r\n\r\n', 'event: ping\n\ndata:x\n\n'))) {
      events.push(event);
    }
    expect(events).toEqual([{ id: '1', data: '{"a":1}' }, { id: '2', data: 'line one\nline two' }, { data: 'x' }]);
  });
});
