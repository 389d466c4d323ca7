import { withoutUndefined, type ProviderError, type RateLimitInfo } from '@/lib/core';

/**
 * A rate-limit lane: one per provider key, shared by every batch that calls that provider.
 *
 * Not p-queue: its `interval` is a fixed window (a burst at each window border), while a provider
 * wants a minimum spacing between request starts, a lane-wide pause when it answers 429 with
 * Retry-After (BullMQ's `queue.rateLimit(ms)`), and a concurrency that can change at run time.
 */

export interface LaneOptions {
  /**
   * Requests in flight at once. A positive integer, or `Infinity`.
   * @default 1 (the seed's sequential pacing)
   */
  concurrency: number;
  /**
   * Minimum time between two request starts, in milliseconds (not between an end and the next start).
   * With `burst` > 1, the average time between starts instead (see `burst`).
   * @default 500
   */
  minIntervalMs: number;
  /**
   * Starts that may come together after a quiet spell: the lane starts exactly what a token bucket
   * of this size, refilled once per `minIntervalMs`, accepts (what per-minute quotas usually are):
   * after a burst, one start per interval, not a wait of `burst` intervals. 1 is an even spacing.
   * @default 1
   */
  burst: number;
}

export const defaultLaneOptions: Readonly<LaneOptions> = Object.freeze({ concurrency: 1, minIntervalMs: 500, burst: 1 });

/**
 * How the call made in a slot ended, told to the lane when the slot is given back, so that a lane
 * that adapts (see `createAdaptiveLane`) can learn from it. Fixed lanes ignore it.
 */
export type SlotOutcome =
  | {
      status: 'succeeded';
      /** The provider's quota as reported with the answer, when it reported one. */
      rateLimit?: RateLimitInfo;
    }
  | {
      status: 'failed';
      /** What the call threw (usually a `ProviderError`). */
      error: unknown;
    };

/**
 * Gives a slot back to the lane, optionally saying how the call ended (omit it for a call that was
 * never made or was aborted). Calling it more than once is harmless: only the first call counts.
 */
export type ReleaseSlot = (outcome?: SlotOutcome) => void;

export interface Lane {
  /**
   * Waits for a slot: fewer than `concurrency` in flight, at least `minIntervalMs` since the previous
   * start, and no pause active. Waiters are served first in, first out.
   * Rejects with `signal.reason` (an `AbortError` for a plain `abort()`) if the signal aborts first.
   */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot>;
  /** No start happens for `durationMs` from now. Extends an active pause, never shortens it. */
  pauseFor(durationMs: number): void;
  /** Changes the concurrency at run time; waiters that now fit start at once (pacing still applies). */
  setConcurrency(concurrency: number): void;
  /** Changes the minimum time between two starts at run time (measured from the previous start). */
  setMinIntervalMs(minIntervalMs: number): void;
  /**
   * Calls `listener` whenever the concurrency is raised, so that a caller who keeps up to
   * `concurrency` calls queued on the lane (the durable queue's worker) can take more at once.
   * Returns the function that unsubscribes.
   */
  onConcurrencyRaised(listener: () => void): () => void;
  /** Slots taken and not yet released. */
  readonly inFlight: number;
  /** Callers waiting in `acquire`. */
  readonly waiting: number;
  readonly concurrency: number;
  readonly minIntervalMs: number;
  readonly burst: number;
  /** Time left in the current pause, in milliseconds; 0 when not paused. */
  readonly pauseRemainingMs: number;
  /**
   * Stops sending for `durationMs`: the provider said its quota is used up and waiting seconds will
   * not bring it back (a daily quota, no credit). Calls that get a slot meanwhile must not be made:
   * they fail at once with `closedBy` (see `runItem`). Extends a closure, never shortens it.
   */
  closeFor(error: ProviderError, durationMs: number): void;
  /** Why the lane is closed, while it is; undefined when it is open. */
  readonly closedBy: ProviderError | undefined;
}

/** The lane of one process (`createLane`): what the adaptive lane builds on. */
export interface InProcessLane extends Lane {
  /**
   * A pause whose end brings a token: no start happens for `durationMs`, then one starts at once,
   * however recently the last one did, and the spacing runs again from that start. For a rate
   * 429's retry hint that says when the quota's next token comes, on a quota whose bucket may hold
   * a single token: waiting past it for the interval would throw refill away. Extends an active pause.
   */
  pauseUntilToken(durationMs: number): void;
}

export function createLane(options: Partial<LaneOptions> = {}): InProcessLane {
  return new RateLimitLane({ ...defaultLaneOptions, ...withoutUndefined(options) });
}

interface Waiter {
  grant: (release: ReleaseSlot) => void;
  /** Detaches the abort listener once the waiter leaves the queue. */
  detach: () => void;
}

class RateLimitLane implements InProcessLane {
  #concurrency: number;
  #minIntervalMs: number;
  readonly #burst: number;
  #inFlight = 0;
  readonly #queue: Waiter[] = [];
  /**
   * The token bucket's clock (GCRA, as the Redis lane keeps it): the time from which the last start
   * is paid for. A start may come once `#paidFromMs + minIntervalMs - (burst - 1) * minIntervalMs`
   * has passed; the interval is read at that moment, so a change applies from the previous start.
   */
  #paidFromMs = -Infinity;
  #pausedUntilMs = 0;
  /** The pause ends on a token (`pauseUntilToken`): the first start after it does not wait for the spacing. */
  #startsAtPauseEnd = false;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #raiseListeners = new Set<() => void>();
  #closure: { error: ProviderError; untilMs: number } | undefined;

  constructor(options: LaneOptions) {
    assertConcurrency(options.concurrency);
    assertMinInterval(options.minIntervalMs);
    if (!(Number.isInteger(options.burst) && options.burst >= 1)) throw new RangeError(`burst must be an integer >= 1, got ${options.burst}`);
    this.#concurrency = options.concurrency;
    this.#minIntervalMs = options.minIntervalMs;
    this.#burst = options.burst;
  }

  get burst(): number {
    return this.#burst;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  get minIntervalMs(): number {
    return this.#minIntervalMs;
  }

  get pauseRemainingMs(): number {
    return Math.max(0, this.#pausedUntilMs - Date.now());
  }

  get closedBy(): ProviderError | undefined {
    if (this.#closure && Date.now() >= this.#closure.untilMs) this.#closure = undefined;
    return this.#closure?.error;
  }

  closeFor(error: ProviderError, durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) {
      throw new RangeError(`closeFor needs a finite duration >= 0 in milliseconds, got ${durationMs}`);
    }
    const untilMs = Date.now() + durationMs;
    if (this.#closure && this.#closure.untilMs >= untilMs) return;
    this.#closure = { error, untilMs };
  }

  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const onAbort = () => {
        const position = this.#queue.indexOf(waiter);
        if (position !== -1) this.#queue.splice(position, 1);
        reject(signal?.reason);
        this.#drain();
      };
      const waiter: Waiter = {
        grant: resolve,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#drain();
    });
  }

  pauseFor(durationMs: number): void {
    this.#pause('pauseFor', durationMs);
  }

  pauseUntilToken(durationMs: number): void {
    this.#startsAtPauseEnd = true;
    this.#pause('pauseUntilToken', durationMs);
  }

  #pause(method: string, durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) {
      throw new RangeError(`${method} needs a finite duration >= 0 in milliseconds, got ${durationMs}`);
    }
    this.#pausedUntilMs = Math.max(this.#pausedUntilMs, Date.now() + durationMs);
    this.#drain();
  }

  setConcurrency(concurrency: number): void {
    assertConcurrency(concurrency);
    const isRaised = concurrency > this.#concurrency;
    this.#concurrency = concurrency;
    this.#drain();
    if (isRaised) for (const listener of [...this.#raiseListeners]) listener();
  }

  onConcurrencyRaised(listener: () => void): () => void {
    this.#raiseListeners.add(listener);
    return () => this.#raiseListeners.delete(listener);
  }

  setMinIntervalMs(minIntervalMs: number): void {
    assertMinInterval(minIntervalMs);
    this.#minIntervalMs = minIntervalMs;
    this.#drain();
  }

  /** Starts every waiter that may start now, then sleeps until the next one may. */
  #drain(): void {
    this.#clearWakeTimer();
    while (this.#queue.length > 0 && this.#inFlight < this.#concurrency) {
      const nowMs = Date.now();
      // A token bucket of `burst`, one token back per interval: with a burst of 1, the previous start plus the interval.
      const spacedAtMs = this.#paidFromMs - (this.#burst - 2) * this.#minIntervalMs;
      const readyAtMs = this.#startsAtPauseEnd ? this.#pausedUntilMs : Math.max(this.#pausedUntilMs, spacedAtMs);
      if (nowMs < readyAtMs) {
        this.#wakeTimer = setTimeout(() => {
          this.#wakeTimer = undefined;
          this.#drain();
        }, readyAtMs - nowMs);
        return;
      }
      const waiter = this.#queue.shift()!;
      waiter.detach();
      this.#inFlight += 1;
      this.#paidFromMs = this.#startsAtPauseEnd ? nowMs : Math.max(this.#paidFromMs + this.#minIntervalMs, nowMs);
      this.#startsAtPauseEnd = false;
      waiter.grant(this.#createRelease());
    }
  }

  #createRelease(): ReleaseSlot {
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.#inFlight -= 1;
      this.#drain();
    };
  }

  #clearWakeTimer(): void {
    if (this.#wakeTimer === undefined) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
  }
}

function assertMinInterval(minIntervalMs: number): void {
  if (!Number.isFinite(minIntervalMs) || minIntervalMs < 0) {
    throw new RangeError(`minIntervalMs must be a finite number >= 0, got ${minIntervalMs}`);
  }
}

function assertConcurrency(concurrency: number): void {
  const isValid = concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1);
  if (!isValid) throw new RangeError(`concurrency must be a positive integer or Infinity, got ${concurrency}`);
}

