import cliProgress from 'cli-progress';
import type { ProgressEvent } from '@/lib/core';

/** What the command tells the person while a batch runs (on stderr: stdout carries the results). */
export interface ProgressReporter {
  /** The batch's counters moved (any event). */
  update(event: ProgressEvent): void;
  /** An image was written. */
  saved(index: number, path: string): void;
  /** One line of news (a retry, a failure, a cancel). */
  note(text: string): void;
  /** Leaves the terminal as it found it. */
  stop(): void;
}

export interface Counters {
  total: number;
  completed: number;
  failed: number;
  etaMs: number | null;
}

/** A redrawn bar with ETA on a terminal, plain lines (one per image) when piped or logged. */
export function createProgressReporter(stream: NodeJS.WriteStream, initial: Counters): ProgressReporter {
  return stream.isTTY ? createBarReporter(stream, initial) : createLineReporter(stream, initial);
}

/** Plain lines, for logs and CI: `[3/8] saved images/003-a-lighthouse.png · ETA 4s`. */
export function createLineReporter(stream: NodeJS.WritableStream, initial: Counters): ProgressReporter {
  let counters = initial;
  const prefix = () => `[${counters.completed + counters.failed}/${counters.total}]`;
  return {
    update(event) {
      counters = event;
      const line = describeEvent(event);
      if (line !== undefined) stream.write(`${prefix()} ${line}\n`);
    },
    saved(_index, path) {
      stream.write(`${prefix()} saved ${path}${etaSuffix(counters.etaMs)}\n`);
    },
    note(text) {
      stream.write(`${text}\n`);
    },
    stop() {},
  };
}

function createBarReporter(stream: NodeJS.WriteStream, initial: Counters): ProgressReporter {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: ' {bar} {value}/{total} · {failedText}ETA {etaText} · {lastText}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 30,
      // Ctrl-C is the command's to handle (it cancels the batch and reports); the bar must keep drawing meanwhile.
      gracefulExit: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (counters: Counters, lastText: string) => ({
    failedText: counters.failed > 0 ? `${counters.failed} failed · ` : '',
    etaText: counters.completed + counters.failed >= counters.total ? 'done' : counters.etaMs === null ? '…' : formatDuration(counters.etaMs),
    lastText,
  });
  const bar = bars.create(initial.total, initial.completed + initial.failed, payload(initial, 'starting'));
  let counters = initial;
  let lastText = 'starting';
  let isStopped = false;
  const redraw = () => bar.update(counters.completed + counters.failed, payload(counters, lastText));
  return {
    update(event) {
      counters = event;
      const line = describeEvent(event);
      // Retries and failures stay on screen above the bar; the rest only move it.
      if (line !== undefined && (event.type === 'item-retry' || (event.type === 'item-end' && event.status !== 'succeeded'))) bars.log(`${line}\n`);
      if (event.type === 'item-start') lastText = `image ${event.index}${event.attempt > 1 ? ` (try ${event.attempt})` : ''}`;
      redraw();
    },
    saved(_index, path) {
      lastText = `saved ${path}`;
      redraw();
    },
    note(text) {
      bars.log(`${text}\n`);
    },
    stop() {
      if (isStopped) return;
      isStopped = true;
      // Lines logged since the last redraw are written by a redraw: flush them before the bar stops.
      bars.update();
      bars.stop();
    },
  };
}

/** The line an event deserves in the plain output; undefined for those the saved line covers. */
function describeEvent(event: ProgressEvent): string | undefined {
  switch (event.type) {
    case 'item-retry':
      return `image ${event.index}: ${event.kind} (${event.error}), try ${event.attempt + 1} in ${formatDuration(event.delayMs)}`;
    case 'item-end':
      if (event.status === 'failed') return `image ${event.index} failed: ${event.kind ?? 'error'}: ${event.error ?? 'unknown error'}`;
      if (event.status === 'canceled') return `image ${event.index} canceled`;
      return undefined;
    default:
      return undefined;
  }
}

function etaSuffix(etaMs: number | null): string {
  return etaMs === null || etaMs === 0 ? '' : ` · ETA ${formatDuration(etaMs)}`;
}

/** `850ms`, `4s`, `2m05s`, `1h02m`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.round(milliseconds)}ms`;
  const seconds = Math.round(milliseconds / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
