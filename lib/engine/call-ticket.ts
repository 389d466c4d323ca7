import type { SampledCall } from './pacing-signals';

/**
 * What the adaptive controller remembers about one call, from its start to its end: handed out by
 * `recordStart`, given back with every later record of the same call. A class of its own, so that
 * what the controller needs (the quota sample, whether the call was counted as accepted) travels
 * with it without the controller casting what it receives.
 */
export class CallTicket {
  readonly startedAtMs: number;
  /** Calls in flight when this one started, itself included. */
  readonly inFlightAtStart: number;
  /** Its place in the quota rate sample (see `QuotaRateSampler`). */
  readonly sample: SampledCall;
  /** The interval between starts the controller paced at when it started. */
  readonly intervalAtStartMs: number;
  #isAccepted = false;

  constructor(startedAtMs: number, inFlightAtStart: number, sample: SampledCall, intervalAtStartMs: number) {
    this.startedAtMs = startedAtMs;
    this.inFlightAtStart = inFlightAtStart;
    this.sample = sample;
    this.intervalAtStartMs = intervalAtStartMs;
  }

  get isAccepted(): boolean {
    return this.#isAccepted;
  }

  /** Marks the call accepted; true the first time only, so that an acceptance is counted once. */
  markAccepted(): boolean {
    if (this.#isAccepted) return false;
    this.#isAccepted = true;
    return true;
  }
}
