/** One event of a `text/event-stream`: its `id:` and its `data:` lines joined. */
export interface ServerSentEvent {
  id?: string;
  data: string;
}

/**
 * The events of an SSE body, as the WHATWG spec frames them: blank-line separated blocks of
 * `field: value` lines; comments (`:`) and events without data (keep-alives) are skipped.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  let buffered = '';
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let boundary = buffered.indexOf('\n\n');
    while (boundary !== -1) {
      const event = parseBlock(buffered.slice(0, boundary));
      buffered = buffered.slice(boundary + 2);
      if (event) yield event;
      boundary = buffered.indexOf('\n\n');
    }
  }
}

function parseBlock(block: string): ServerSentEvent | undefined {
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  return { ...(id === undefined ? {} : { id }), data: data.join('\n') };
}
