/**
 * Pure helpers of the load bench (bench/load.ts): percentiles, an incremental SSE frame parser,
 * and the completeness check of what one watcher received against the batch's event log.
 */

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank percentile (`p` in [0, 100]) of values sorted ascending: the smallest value
 * with at least p% of the values at or below it. NaN when there are none.
 */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError('p must be in [0, 100]');
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAscending.length));
  return sortedAscending[rank - 1]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((left, right) => left - right);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export interface SseFrame {
  /** The `id:` field, when the frame had one. */
  id?: string;
  /** The `event:` field; `message` when absent, as EventSource does. */
  event: string;
  data: string;
}

/**
 * Feeds text chunks of an SSE stream as they arrive; returns the frames each chunk completes.
 * Comment lines (`: keep-alive`) and frames without data are skipped; CRLF line ends accepted.
 */
export function createSseParser(): (chunk: string) => SseFrame[] {
  let buffered = '';
  return (chunk) => {
    buffered += chunk;
    const frames: SseFrame[] = [];
    for (let end = nextFrameEnd(buffered); end; end = nextFrameEnd(buffered)) {
      const block = buffered.slice(0, end.index);
      buffered = buffered.slice(end.index + end.length);
      let id: string | undefined;
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') id = value;
        else if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) frames.push({ ...(id === undefined ? {} : { id }), event, data: data.join('\n') });
    }
    return frames;
  };
}

function nextFrameEnd(text: string): { index: number; length: number } | undefined {
  const match = /\r?\n\r?\n/.exec(text);
  return match ? { index: match.index, length: match[0].length } : undefined;
}

export interface ReceivedEvent {
  sequence: number;
  type: string;
}

export interface SequenceCheck {
  /** Sequences of the log (1 … lastSequence) this watcher never received. */
  missing: number[];
  /** Events received more than once. */
  duplicates: number;
  /** Events received after one with a higher sequence. */
  outOfOrder: number;
  /** Sequences received that the log does not have (above lastSequence, or below 1). */
  unknown: number;
  /** Whether the last event received was the batch's `batch-end`, at lastSequence. */
  endsWithBatchEnd: boolean;
  /** No loss, no duplicate, in order, nothing unknown, and the stream ended on batch-end. */
  isComplete: boolean;
}

/**
 * What one watcher received against the batch's durable log, whose sequences are 1 … lastSequence
 * (a watcher that connects with no Last-Event-ID gets them all: the backlog, then live).
 */
export function checkSequence(received: readonly ReceivedEvent[], lastSequence: number): SequenceCheck {
  const seen = new Set<number>();
  let duplicates = 0;
  let outOfOrder = 0;
  let unknown = 0;
  let highest = 0;
  for (const { sequence } of received) {
    if (!Number.isInteger(sequence) || sequence < 1 || sequence > lastSequence) {
      unknown += 1;
      continue;
    }
    if (seen.has(sequence)) duplicates += 1;
    else if (sequence < highest) outOfOrder += 1;
    seen.add(sequence);
    highest = Math.max(highest, sequence);
  }
  const missing: number[] = [];
  for (let sequence = 1; sequence <= lastSequence; sequence += 1) if (!seen.has(sequence)) missing.push(sequence);
  const last = received.at(-1);
  const endsWithBatchEnd = last?.type === 'batch-end' && last.sequence === lastSequence;
  return {
    missing,
    duplicates,
    outOfOrder,
    unknown,
    endsWithBatchEnd,
    isComplete: missing.length === 0 && duplicates === 0 && outOfOrder === 0 && unknown === 0 && endsWithBatchEnd,
  };
}
