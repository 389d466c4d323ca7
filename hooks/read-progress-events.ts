import { createParser } from 'eventsource-parser';
import { progressEventSchema, type ProgressEvent } from '@/lib/core/events';

export interface ReadProgressEventsOptions {
  onEvent: (event: ProgressEvent) => void;
  /** A frame that is not a valid progress event: reported, then skipped. */
  onInvalidEvent?: (problem: string) => void;
}

export interface ReadProgressEventsResult {
  /** Whether the stream carried the batch's last event; false means it ended early. */
  sawBatchEnd: boolean;
}

/**
 * Reads a Server-Sent Events body (from a fetch: POST requests can't use EventSource), validating
 * each `data:` with the progress event schema instead of casting it. Stops at batch-end. Rejects
 * when the body errors, e.g. with an AbortError after the fetch's signal aborted.
 */
export async function readProgressEvents(
  body: ReadableStream<Uint8Array>,
  { onEvent, onInvalidEvent }: ReadProgressEventsOptions,
): Promise<ReadProgressEventsResult> {
  let sawBatchEnd = false;
  const parser = createParser({
    onEvent(message) {
      let json: unknown;
      try {
        json = JSON.parse(message.data);
      } catch {
        onInvalidEvent?.(`event ${message.id ?? '?'} is not JSON`);
        return;
      }
      const parsed = progressEventSchema.safeParse(json);
      if (!parsed.success) {
        onInvalidEvent?.(`event ${message.id ?? '?'} does not match the progress event schema: ${parsed.error.issues[0]?.message}`);
        return;
      }
      if (message.event !== undefined && message.event !== parsed.data.type) {
        onInvalidEvent?.(`event ${message.id ?? '?'} is named "${message.event}" but carries a "${parsed.data.type}"`);
        return;
      }
      if (parsed.data.type === 'batch-end') sawBatchEnd = true;
      onEvent(parsed.data);
    },
  });

  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      if (sawBatchEnd) {
        // Nothing follows the batch's last event; don't wait for the server to close.
        await reader.cancel();
        return { sawBatchEnd };
      }
    }
    parser.feed(decoder.decode());
  } finally {
    reader.releaseLock();
  }
  return { sawBatchEnd };
}
