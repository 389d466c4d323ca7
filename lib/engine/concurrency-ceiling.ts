import { LevelEvidence } from './pacing-signals';

/**
 * The adaptive controller's limit on calls in flight, learned apart from the rate: the highest
 * number of calls in flight the provider is believed to accept. Starts at the operator's maximum;
 * lowered under a level refused for concurrency, cut on overload, probed again (+1) after a round
 * trip of quiet successes at it, the wait growing 4x after each probe that fails.
 */
/** Successes at the ceiling before it is probed, at the least. */
const minProbeWait = 16;
/** A probe waits for this many times the calls a failed one costs (its pause), at the least. */
const probeCostFactor = 4;

export class ConcurrencyCeiling {
  readonly #max: number;
  readonly #longestProbeWait: number;
  /** Per number of calls in flight at a call's start: how many were accepted, and refused. */
  readonly levels = new LevelEvidence();
  #value: number;
  #phase: 'holding' | 'probing' = 'holding';
  #quietSuccesses = 0;
  #failedProbes = 0;
  #probeCostInCalls = 0;
  /** The ceiling before the 503s that cut it, while it climbs back. */
  #beforeOverload: number | undefined;

  constructor(max: number, longestProbeWait: number) {
    this.#max = max;
    this.#value = max;
    this.#longestProbeWait = longestProbeWait;
  }

  get value(): number {
    return this.#value;
  }

  get max(): number {
    return this.#max;
  }

  /** A call at `level` was accepted: a probe at the ceiling succeeded if it reached it. */
  recordAccepted(level: number): void {
    this.levels.accepted(level);
    // An overload passed (a storm, or our own load): back to the ceiling before it, a slot per accepted call.
    if (this.#beforeOverload !== undefined) {
      this.#value = Math.min(this.#beforeOverload, this.#value + 1);
      if (this.#value >= this.#beforeOverload) this.#beforeOverload = undefined;
    }
    if (this.#phase === 'probing' && level >= this.#value) {
      this.#phase = 'holding';
      this.#failedProbes = 0;
    }
  }

  /** `isJudgedRate`: put down to the rate, past slow start (see `LevelEvidence.refused`). */
  recordRefused(level: number, isJudgedRate = false): void {
    this.levels.refused(level, isJudgedRate);
  }

  /** A refusal at `level` during a probe of the ceiling: the probe failed. */
  isFailedProbeAt(level: number): boolean {
    return this.#phase === 'probing' && level >= this.#value;
  }

  /** A success with every slot of the ceiling taken: after enough of them, the ceiling is tried one higher. */
  recordSuccessAtCeiling(): void {
    if (this.#value >= this.#max) return;
    this.#quietSuccesses += 1;
    // A probe that fails costs the lane its pause: only worth it after enough calls to pay for it.
    if (this.#quietSuccesses < this.#probeCostInCalls) return;
    // A round trip of successes at it (the ceiling's worth), and never fewer than `minProbeWait`: at a
    // ceiling of 1 or 2 a probe per round trip would spend a refusal every few calls.
    const probeAfter = Math.min(this.#longestProbeWait, Math.max(minProbeWait, this.#value) * 4 ** this.#failedProbes);
    if (this.#quietSuccesses < probeAfter) return;
    this.#quietSuccesses = 0;
    this.#value += 1;
    this.#phase = 'probing';
  }

  /**
   * Refused for concurrency at `level`: the ceiling goes under it. `pauseInCalls` is what the
   * refusal cost: the lane's pause (the retry hint) in calls the ceiling would have made meanwhile.
   */
  lowerUnder(level: number, isFailedProbe: boolean, pauseInCalls = 0): void {
    this.#probeCostInCalls = probeCostFactor * pauseInCalls;
    this.#beforeOverload = undefined;
    this.#failedProbes = isFailedProbe ? this.#failedProbes + 1 : 0;
    this.#phase = 'holding';
    this.#value = Math.max(1, Math.min(this.#value, level - 1));
    this.#quietSuccesses = 0;
  }

  /**
   * Refused for the rate at a level within the ceiling: the ceiling was the rate's doing too. At a
   * ceiling of one, so were the refusals at two that set it (a bucket of one refuses a second start
   * that comes too soon as a cap of one would): forgotten, or the next one there would set it again.
   * Higher up, a cap and a rate that both bind are common: there the refusals stand.
   */
  liftIfRefusedWithin(level: number): void {
    if (level > this.#value) return;
    if (this.#value === 1) this.levels.forgetRefusalsAbove(1);
    this.#value = this.#max;
  }

  /** A 503 overload at `level`: multiplicative decrease. */
  cutForOverload(level: number, factor: number): void {
    this.#beforeOverload = Math.max(this.#beforeOverload ?? 0, this.#value);
    this.#value = Math.max(1, Math.min(this.#value, Math.floor(level * factor)));
    this.#quietSuccesses = 0;
  }
}
