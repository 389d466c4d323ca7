import type { StreamEvent } from '@/lib/core';

/** How often a comment line is sent on an idle stream, so proxies keep the connection open. */
const keepAliveIntervalMs = 15_000;

export function wantsEventStream(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('text/event-stream');
}

/**
 * One SSE frame: a logged event's sequence is its `id:` (for Last-Event-ID), its type the `event:`.
 * Live step progress has no `id:`, so the browser's Last-Event-ID stays the last logged event's.
 */
export function formatSseEvent(event: StreamEvent): string {
  const id = 'sequence' in event ? `id: ${event.sequence}\n` : '';
  return `${id}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export const sseHeaders = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const;

/**
 * A streaming SSE response. `produce` gets a `send` function and a signal that aborts when the
 * client goes away (request aborted or stream canceled); the stream closes when `produce` settles.
 */
export function createSseResponse(
  requestSignal: AbortSignal,
  produce: (send: (event: StreamEvent) => void, signal: AbortSignal) => Promise<void>,
): Response {
  const abortController = new AbortController();
  const abortProduction = () => abortController.abort(new DOMException('The client disconnected', 'AbortError'));
  requestSignal.addEventListener('abort', abortProduction, { once: true });
  const encoder = new TextEncoder();
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  // Set once the stream is closed by us or canceled by the client: nothing may be enqueued or closed after.
  let isClosed = false;

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (isClosed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          isClosed = true;
        }
      };
      keepAlive = setInterval(() => write(': keep-alive\n\n'), keepAliveIntervalMs);
      produce((event) => write(formatSseEvent(event)), abortController.signal)
        .catch((error: unknown) => {
          // The batch itself never throws for provider errors; reaching here is a bug worth a comment line.
          write(`: error ${JSON.stringify(error instanceof Error ? error.message : String(error))}\n\n`);
        })
        .finally(() => {
          clearInterval(keepAlive);
          requestSignal.removeEventListener('abort', abortProduction);
          if (!isClosed) {
            isClosed = true;
            controller.close();
          }
        });
    },
    cancel() {
      isClosed = true;
      clearInterval(keepAlive);
      abortProduction();
    },
  });
  return new Response(stream, { headers: sseHeaders });
}
