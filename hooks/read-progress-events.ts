import { createParser } from 'eventsource-parser';
import { progressEventSchema, type ProgressEvent } from '@/lib/core/events';

export type ParsedProgressMessage = { success: true; event: ProgressEvent } | { success: false; problem: string };

/**
 * One SSE message's `data:` as a progress event, validated with the schema instead of cast; the
 * message's `event:` name, when it has one, must match the event's type.
 */
export function parseProgressMessage(data: string, eventName: string | undefined, id?: string): ParsedProgressMessage {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { success: false, problem: `event ${id || '?'} is not JSON` };
  }
  const parsed = progressEventSchema.safeParse(json);
  if (!parsed.success) {
    return { success: false, problem: `event ${id || '?'} does not match the progress event schema: ${parsed.error.issues[0]?.message}` };
  }
  if (eventName !== undefined && eventName !== parsed.data.type) {
    return { success: false, problem: `event ${id || '?'} is named "${eventName}" but carries a "${parsed.data.type}"` };
  }
  return { success: true, event: parsed.data };
}

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
      const parsed = parseProgressMessage(message.data, message.event, message.id);
      if (!parsed.success) {
        onInvalidEvent?.(parsed.problem);
        return;
      }
      if (parsed.event.type === 'batch-end') sawBatchEnd = true;
      onEvent(parsed.event);
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
