import { progressEventSchema, type ProgressEvent } from '@/lib/core/events';
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
  createSource?: (url: string) => EventSourceLike;
}

const eventTypes = progressEventSchema.options.map((option) => option.shape.type.value);
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
  const { onEvent, onEnd, onLost, onInvalidEvent, createSource = (sourceUrl) => new EventSource(sourceUrl) } = options;
  const source = createSource(url);
  let lastType: ProgressEvent['type'] | undefined;
  let isStopped = false;
  const stop = () => {
    isStopped = true;
    source.close();
  };

  const onMessage = (message: MessageEvent<string>) => {
    if (isStopped) return;
    const parsed = parseProgressMessage(message.data, message.type, message.lastEventId);
    if (!parsed.success) {
      onInvalidEvent?.(parsed.problem);
      return;
    }
    lastType = parsed.event.type;
    onEvent(parsed.event);
  };
  for (const type of eventTypes) source.addEventListener(type, onMessage);

  source.onerror = () => {
    if (isStopped) return;
    // The server closes a batch's stream right after its batch-end: done, don't reconnect.
    if (lastType === 'batch-end') {
      stop();
      onEnd();
    } else if (source.readyState === closedState) {
      stop();
      onLost('The server refused the progress stream');
    }
    // Otherwise the browser is reconnecting, with Last-Event-ID.
  };
  return stop;
}
