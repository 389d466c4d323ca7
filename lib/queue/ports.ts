import type { ImageProvider } from '@/lib/core';
import type { Lane } from '@/lib/engine';
import type { RunnableItem } from '@/lib/store';

/**
 * The seams of the durable queue: each has its in-process implementation today (chosen when the
 * queue is wired), and a second backend (Redis, PostgreSQL) plugs in behind the same interface.
 * The lane port is the engine's `Lane`, handed out per provider and model by a `LaneSource`.
 */

/** What to run next. In-process: a poller over the store, woken by `announce`. */
export interface WorkSource {
  /** Items that may start now (a retry only once its time has come), in the order to try them. */
  candidates(limit: number): Promise<RunnableItem[]>;
  /** When the earliest retry waiting in the queue is due (epoch ms); undefined when none waits. */
  nextDueAtMs(): Promise<number | undefined>;
  /** Work may have become runnable (a batch created or retried, a slot freed). */
  announce(): void;
  /** Resolves at the next announcement, or after `timeoutMs` (an announcement made before is not lost). */
  waitForWork(timeoutMs: number): Promise<void>;
}

/** Cancels reach every worker that runs calls of the batch. */
export interface CancelSignals {
  cancel(batchId: string): void;
  /** Returns the function that unsubscribes. */
  onCancel(listener: (batchId: string) => void): () => void;
}

/** The rate-limit lane of a provider and model, shared by everything that calls it. */
export type LaneSource = (provider: ImageProvider) => Lane;

export type { BatchEventBus, BatchEventListener } from './batch-event-bus';
