import type { ItemProgressEvent, ProgressEvent } from '@/lib/core/events';
import { loadResponseSchemas } from './api-request';
import { parseProgressMessage } from './progress-message';

/** The part of the browser's EventSource this module uses (a fake one in unit tests). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (message: MessageEvent<string>) => void): void;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

export interface FollowBatchEventsOptions {
  /** Each validated event, in the order received (the caller drops repeats by sequence). */
  onEvent: (event: ProgressEvent) => void;
  /** The server closed the stream after the batch's last event: nothing more will come. */
  onEnd: () => void;
  /** The stream cannot be followed (an HTTP error, or not an event stream); the browser gave up. */
  onLost: (reason: string) => void;
  /** A message that is not a valid progress event: reported, then skipped. */
  onInvalidEvent?: (problem: string) => void;
  /** Live step progress of a running image (not logged, no id: never replayed). @default ignored */
  onItemProgress?: (progress: ItemProgressEvent) => void;
  createSource?: (url: string) => EventSourceLike;
}

/** The progress event types (the schema's, checked by a test; listed here so zod stays out of the first load). */
export const progressEventTypes: readonly ProgressEvent['type'][] = ['batch-start', 'item-start', 'item-retry', 'item-end', 'batch-end'];
const closedState = 2;

/** `/api/batches/<id>/events`, resuming after `afterSequence` when it is above 0. */
export function eventsUrlAfter(eventsUrl: string, afterSequence: number): string {
  if (afterSequence <= 0) return eventsUrl;
  return `${eventsUrl}${eventsUrl.includes('?') ? '&' : '?'}lastEventId=${afterSequence}`;
}

/**
 * Follows a durable batch's progress with the browser's EventSource (a GET, so when the connection
 * drops the browser reconnects by itself and sends Last-Event-ID; the server replays what was
 * missed). Each message is validated with the progress event schema, never cast. Returns `stop`.
 */
export function followBatchEvents(url: string, options: FollowBatchEventsOptions): () => void {
  const { onEvent, onEnd, onLost, onInvalidEvent, onItemProgress, createSource = (sourceUrl) => new EventSource(sourceUrl) } = options;
  const source = createSource(url);
  let lastType: ProgressEvent['type'] | undefined;
  let isStopped = false;
  const stop = () => {
    isStopped = true;
    source.close();
  };

  // Messages and errors are handled in arrival order, once the schema has loaded (the first time
  // it is imported; a promise already settled after that).
  let queue: Promise<unknown> = loadResponseSchemas();
  const inOrder = (handle: (schemas: Awaited<ReturnType<typeof loadResponseSchemas>>) => void) => {
    queue = queue.then(() => loadResponseSchemas().then(handle));
  };

  const onMessage = (message: MessageEvent<string>) =>
    inOrder(({ progressEventSchema }) => {
      if (isStopped) return;
      const parsed = parseProgressMessage(progressEventSchema, message.data, message.type, message.lastEventId);
      if (!parsed.success) {
        onInvalidEvent?.(parsed.problem);
        return;
      }
      lastType = parsed.event.type;
      onEvent(parsed.event);
    });
  for (const type of progressEventTypes) source.addEventListener(type, onMessage);
  if (onItemProgress) {
    source.addEventListener('item-progress', (message) =>
      inOrder(({ itemProgressEventSchema }) => {
        if (isStopped) return;
        let json: unknown;
        try {
          json = JSON.parse(message.data);
        } catch {
          json = undefined;
        }
        const parsed = itemProgressEventSchema.safeParse(json);
        if (parsed.success) onItemProgress(parsed.data);
        else onInvalidEvent?.('an item-progress message does not match its schema');
      }),
    );
  }

  source.onerror = () => {
    const readyState = source.readyState;
    inOrder(() => {
      if (isStopped) return;
      // The server closes a batch's stream right after its batch-end: done, don't reconnect.
      if (lastType === 'batch-end') {
        stop();
        onEnd();
      } else if (readyState === closedState) {
        stop();
        onLost('The server refused the progress stream');
      }
      // Otherwise the browser is reconnecting, with Last-Event-ID.
    });
  };
  return stop;
}
