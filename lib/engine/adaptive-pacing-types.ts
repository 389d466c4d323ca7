import type { CallTicket } from './call-ticket';
import type { SlotOutcome } from './lane';
import type { RefusalCause } from './refusal-classifier';

/** The adaptive pacing controller's options and what it exposes (see `createAdaptivePacer`). */

export interface AdaptivePacingOptions {
  /**
   * Never more calls in flight than this, whatever the provider accepts.
   * @default 16
   */
  maxConcurrency?: number;
  /**
   * Minimum time between two starts while ramping up, before any latency is known, in milliseconds.
   * @default 500 (the seed's pacing)
   */
  initialIntervalMs?: number;
  /**
   * A call still in flight after this long was not refused (429s come back at once): slow start
   * grows on it. Raised to twice the slowest refusal seen. Short, as slow start adds a call in
   * flight per acceptance time until a latency is known: at 1 s, a batch of 30 s calls ramps a slot
   * a second; a 429 slower than this, before any was seen, costs one slot too many, no more.
   * @default 250
   */
  acceptedAfterMs?: number;
  /**
   * A request rate the provider is known to allow, per minute: never exceeded.
   * @default unknown (learned from 429s and rate-limit headers)
   */
  requestsPerMinute?: number;
  /**
   * Factor applied to the rate on a 429 (without a measure of the quota) and to the concurrency on an overload.
   * @default 0.7
   */
  decreaseFactor?: number;
  /**
   * The longest quiet spell, in successes, before a limit already found is probed again: the
   * concurrency ceiling's probes wait up to this long (4x longer after each that fails), and the
   * rate is probed past the pace that failed only after this many (past a quota measured exactly,
   * from token to token, after four times as many).
   * @default 64
   */
  probeAfterSuccesses?: number;
  /** Epoch milliseconds. @default Date.now */
  now?: () => number;
}

/**
 * `slow-start`: nothing refused yet, the rate doubles per round trip. `steady`: a 429 or an
 * overload came; the rate and the ceiling move by small steps around what the provider accepts.
 */
export type AdaptivePacingPhase = 'slow-start' | 'steady';

/**
 * The test of a 429 that could be the rate's or the cap on calls in flight's (the first at a level
 * never accepted): a rate limit has no token before the one its hint announced, so a call accepted
 * sooner, at a level accepted before, proves the cap refused. Costs a 429 if it was the rate.
 */
export interface CapProbe {
  /** Calls in flight when the refused call started, itself included. */
  readonly refusedLevel: number;
  /** How far the refusal's retry hint may be off (whole seconds, see `ProviderErrorOptions.retryAfterSlackMs`); absent: to the millisecond. */
  readonly hintSlackMs?: number;
}

/** A 429 as the controller judged it, and what the lane should do instead of pausing for its hint. */
export interface RefusalVerdict {
  /** Which limit it hit. */
  cause: RefusalCause;
  /**
   * Start a call as soon as the token its retry hint announced comes, whatever the interval says.
   * True while the quota's bucket may hold a single token: the token is then the bucket full, and
   * every moment a start waits past it is refill thrown away (and a sample of the quota from there
   * measures low).
   */
  startsOnAnnouncedToken: boolean;
  /**
   * Set when it may have been a cap on calls in flight's instead, and its retry hint is longer than
   * a call (see `CapProbe`): the lane then makes one call at a level already accepted instead of
   * pausing for the hint, and says if it was accepted (`recordCapProbeAccepted`).
   */
  capProbe?: CapProbe;
}

/** How busy the lane was at an event (before the slot of a call that ended was given back). */
export interface LaneLoad {
  /** Calls in flight, the one ending included. */
  inFlight: number;
  /** Callers waiting for a slot. */
  waiting: number;
}

export interface AdaptivePacingSnapshot {
  concurrency: number;
  minIntervalMs: number;
  phase: AdaptivePacingPhase;
  /** The learned concurrency ceiling; `maxConcurrency` until a 429 proves a lower one. */
  concurrencyCeiling: number;
  /** The quota's rate per minute as measured between 429s or read from headers; undefined while unknown. */
  measuredRequestsPerMinute?: number;
  /** 429s and overloads that made the controller slow down (duplicates of one event not counted). */
  reactions: number;
}

export interface AdaptivePacer {
  readonly concurrency: number;
  readonly minIntervalMs: number;
  /** How long after its start a call still in flight counts as accepted (see `recordAccepted`). */
  readonly acceptedAfterMs: number;
  /** The lane started the probe's call. */
  recordCapProbeStarted(probe: CapProbe, ticket: CallTicket): void;
  /** The probe's call was accepted before the announced token: the 429 was the cap's. Ignored for a probe no longer current. */
  recordCapProbeAccepted(probe: CapProbe): void;
  /** Call when a slot is granted; keep the ticket for the other calls. */
  recordStart(inFlightAtStart: number): CallTicket;
  /** Call when the call is still in flight `acceptedAfterMs` after its start. Idempotent. */
  recordAccepted(ticket: CallTicket, load: LaneLoad): void;
  /**
   * Call when the slot is given back; `outcome` undefined for an aborted call (it teaches nothing).
   * Returns the judgement of a 429 (see `RefusalVerdict`), undefined for anything else.
   */
  recordEnd(ticket: CallTicket, outcome: SlotOutcome | undefined, load: LaneLoad): RefusalVerdict | undefined;
  snapshot(): AdaptivePacingSnapshot;
}
