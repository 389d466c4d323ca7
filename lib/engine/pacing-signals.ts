/**
 * Small measurements the adaptive pacing controller learns from: call latency, the actual start
 * rate, and the request rate a quota accepted between two 429s. Pure; times are epoch milliseconds.
 */

/** Exponentially weighted mean and mean deviation of call latency (successes only). */
export class LatencyEstimate {
  #meanMs: number | undefined;
  #deviationMs = 0;

  get isKnown(): boolean {
    return this.#meanMs !== undefined;
  }

  get meanMs(): number {
    return this.#meanMs ?? 0;
  }

  /** A latency few calls exceed (mean + 3 mean deviations): how long a slot may stay taken. */
  get highMs(): number {
    return this.meanMs + 3 * this.#deviationMs;
  }

  add(latencyMs: number): void {
    if (this.#meanMs === undefined) {
      this.#meanMs = latencyMs;
      this.#deviationMs = latencyMs / 4;
      return;
    }
    this.#deviationMs += (Math.abs(latencyMs - this.#meanMs) - this.#deviationMs) / 4;
    this.#meanMs += (latencyMs - this.#meanMs) / 8;
  }
}

/** The recent actual spacing of starts (whatever held them back: interval, concurrency or demand). */
export class StartRateMeter {
  readonly #startsMs: number[] = [];
  readonly #size: number;

  constructor(size = 6) {
    this.#size = size;
  }

  add(startedAtMs: number): void {
    this.#startsMs.push(startedAtMs);
    if (this.#startsMs.length > this.#size) this.#startsMs.shift();
  }

  /**
   * The typical time between the recent starts: the median gap, not the mean, so that one long wait
   * (slots all taken by slow calls, then freed together) does not pass for a slow pace: the starts
   * that drained a bucket came at the pace of the gaps around it. Undefined until four are known.
   */
  intervalMs(): number | undefined {
    if (this.#startsMs.length < 4) return undefined;
    const gapsMs = this.#startsMs.slice(1).map((startMs, offset) => startMs - this.#startsMs[offset]!);
    gapsMs.sort((left, right) => left - right);
    const middle = Math.floor(gapsMs.length / 2);
    return gapsMs.length % 2 === 1 ? gapsMs[middle]! : (gapsMs[middle - 1]! + gapsMs[middle]!) / 2;
  }
}

export interface SampledCall {
  readonly startedAtMs: number;
  isRejected: boolean;
}

/** Calls accepted in a sample below which their rate is too noisy to trust (429s without a retry hint). */
const minAcceptedForEstimate = 4;
/**
 * The same when both 429s that bound the sample said when the next token comes: the sample then
 * runs from token to token, and the calls accepted between are exactly the bucket's refill, one
 * call as well as many (waiting for a second one cost slow rates a 429 more).
 */
const minAcceptedBetweenHints = 1;
/**
 * 429s a sample spans when enough calls were accepted since the third-last: long enough to smooth,
 * short enough to follow a quota that changes.
 */
const preferredSpannedRefusals = 3;
/** 429s a sample may reach back over to gather `minAcceptedForEstimate` calls (low rates: few calls between 429s). */
const maxSpannedRefusals = 8;
/** Calls kept; older ones are dropped (the estimate then errs low, and self-corrects). */
const maxCallsKept = 2_000;

/** The quota's interval per call as a sample measured it, and whether it is the refill itself rather than a floor under it. */
export interface QuotaRateMeasure {
  intervalMs: number;
  /**
   * Measured from token to token, and no token can have overflowed in between: the bucket only
   * fills while calls come slower than it refills, and from the token after the first 429 to the
   * second 429 no two accepted calls were further apart than the measured interval, the mean gap
   * (give or take `lapseTolerance`): even gaps, or gaps that only shrank; and the token after the
   * first 429 did not wait for a call, unless a burst proved the bucket holds two. A lapse (or a
   * bucket of one paced with room to spare) makes the measure a floor under the quota, to be probed
   * past; without one it is the quota. A hint in whole seconds at either end (a second off either
   * way) makes it an estimate, to be probed past too: read as exact, one rounded up held a bucket of
   * one at 0.34 of its 0.5 a second for a whole batch.
   */
  isExact: boolean;
}

/** A gap between accepted calls up to this many measured intervals still counts as no lapse (timers run on whole milliseconds). */
const lapseTolerance = 1.05;

/** A rate 429 that bounds samples: when the refused call started, and when its retry hint said the next token comes. */
interface SampleBoundary {
  startedAtMs: number;
  nextTokenAtMs?: number;
  /** How far the hint may be off (whole seconds): a sample from or to its token is no exact measure. */
  slackMs?: number;
}

/**
 * A token bucket is empty at each 429. Between 429s, while calls kept coming faster than it refills
 * (no refill overflowed), it accepted exactly its refill over that time, give or take one call:
 * calls accepted / time elapsed measures the quota's rate. A sample spans the last three 429s, or
 * more (up to eight) when fewer than four calls were accepted over those, as at low rates. If the
 * pressure lapsed, tokens overflowed and the measure is low: a safe error. Calls before the first
 * 429 are never used: the bucket started full, of unknown size.
 *
 * A retry hint removes the "give or take one call": it says when the next token comes, and the lane
 * starts nothing before it. From the token after one 429 to the token after a later one, the bucket
 * made exactly the calls accepted between: one is enough to measure, so a low rate is measured
 * after two or three 429s instead of five to eight. A hint longer than the token's wait (rounded up
 * to seconds, or a fixed window's end) lets tokens pile up and end the sample late: the measure errs
 * low, as with a lapse.
 */
export class QuotaRateSampler {
  #calls: SampledCall[] = [];
  /** The last few rate 429s, oldest first. */
  readonly #boundaries: SampleBoundary[] = [];
  /** The shortest time between two accepted starts seen (see `#noteClosestAccepted`). */
  #closestAcceptedMs = Infinity;

  add(startedAtMs: number): SampledCall {
    const call: SampledCall = { startedAtMs, isRejected: false };
    this.#calls.push(call);
    if (this.#calls.length > maxCallsKept) this.#calls.splice(0, this.#calls.length - maxCallsKept);
    return call;
  }

  /**
   * Records a rate 429 (the refused call, and its retry hint if it had one) and returns the measured
   * interval per accepted call over the sample it ends, or undefined when there is no sample yet or
   * it is too small.
   */
  closeAt(rejected: SampledCall, retryAfterMs?: number, retryAfterSlackMs = 0): QuotaRateMeasure | undefined {
    const boundary: SampleBoundary = {
      startedAtMs: rejected.startedAtMs,
      ...(retryAfterMs === undefined ? {} : { nextTokenAtMs: rejected.startedAtMs + retryAfterMs }),
      ...(retryAfterSlackMs > 0 ? { slackMs: retryAfterSlackMs } : {}),
    };
    this.#noteClosestAccepted(boundary.startedAtMs);
    const measuredMs = this.#measureUpTo(boundary);
    this.#boundaries.push(boundary);
    if (this.#boundaries.length > maxSpannedRefusals) this.#boundaries.shift();
    // Calls before the oldest boundary kept will not be needed again.
    const keepFromMs = this.#boundaries[0]!.startedAtMs;
    this.#calls = this.#calls.filter((call) => call.startedAtMs >= keepFromMs);
    return measuredMs;
  }

  /**
   * Judged at a rate 429 whose hint says when the next token comes: whether the bucket may hold a
   * single token, and the refill interval that implies. With a bucket of one, that token comes a
   * whole refill after the last accepted start, and no two accepted starts were ever closer than
   * that (each needed a token of its own). With a bigger bucket the last start may have left part
   * of a token: the refill is at least that long, so the value is a floor under it too.
   * `mayHoldOne` true and `refillMs` undefined: no call was accepted before.
   */
  oneTokenRefill(refused: SampledCall, retryAfterMs: number): { mayHoldOne: boolean; refillMs?: number } {
    const lastAccepted = this.#calls.findLast((call) => !call.isRejected && call.startedAtMs < refused.startedAtMs);
    if (lastAccepted === undefined) return { mayHoldOne: true };
    const refillMs = refused.startedAtMs + retryAfterMs - lastAccepted.startedAtMs;
    return { mayHoldOne: this.#closestAcceptedBefore(refused.startedAtMs) * lapseTolerance >= refillMs, refillMs };
  }

  /** Records the shortest time between two accepted starts before `untilMs`: under the refill's interval, the bucket held two tokens. */
  #noteClosestAccepted(untilMs: number): void {
    this.#closestAcceptedMs = this.#closestAcceptedBefore(untilMs);
  }

  /** The shortest time between two accepted starts before `untilMs`, the ones already noted included (calls start in order). */
  #closestAcceptedBefore(untilMs: number): number {
    let closestMs = this.#closestAcceptedMs;
    let previousMs: number | undefined;
    for (const call of this.#calls) {
      if (call.startedAtMs >= untilMs) break;
      if (call.isRejected) continue;
      if (previousMs !== undefined) closestMs = Math.min(closestMs, call.startedAtMs - previousMs);
      previousMs = call.startedAtMs;
    }
    return closestMs;
  }

  /** The 429 of this call was not the rate's after all: it bounds no sample. */
  forgetBoundaryAt(call: SampledCall): void {
    const index = this.#boundaries.findIndex((boundary) => boundary.startedAtMs === call.startedAtMs);
    if (index !== -1) this.#boundaries.splice(index, 1);
  }

  /** The quota changed at this call: samples start from its 429 only, the older ones measured another quota. */
  forgetBefore(call: SampledCall): void {
    const kept = this.#boundaries.find((boundary) => boundary.startedAtMs === call.startedAtMs) ?? { startedAtMs: call.startedAtMs };
    this.#boundaries.splice(0, this.#boundaries.length, kept);
    this.#calls = this.#calls.filter((other) => other.startedAtMs >= call.startedAtMs);
  }

  /** The longest wait between accepted calls from the token after `start` to the 429 at `end`: how long the bucket filled unused, at most. */
  #longestGapMs(start: SampleBoundary, end: SampleBoundary): number {
    const fromMs = start.nextTokenAtMs ?? start.startedAtMs;
    const startsMs = [fromMs, ...this.#calls.filter((call) => call.startedAtMs >= fromMs && call.startedAtMs < end.startedAtMs && !call.isRejected).map((call) => call.startedAtMs), end.startedAtMs];
    let longestMs = 0;
    for (let index = 1; index < startsMs.length; index += 1) longestMs = Math.max(longestMs, startsMs[index]! - startsMs[index - 1]!);
    return longestMs;
  }

  /**
   * How long the token after `start`'s 429 waited for a call: the bucket held it meanwhile, and a
   * bucket of one (its size is unknown) drops every token made while it is full. Later gaps are
   * safe up to the interval (the bucket was emptied at the start before), this one is not: the
   * lane's pause ends on the token, but a slower interval may hold the next start past it.
   */
  #isTokenWaitSafe(start: SampleBoundary, end: SampleBoundary, intervalMs: number, accepted: number): boolean {
    const tokenAtMs = start.nextTokenAtMs ?? start.startedAtMs;
    const firstStartMs = this.#calls.find((call) => call.startedAtMs >= tokenAtMs && call.startedAtMs < end.startedAtMs && !call.isRejected)?.startedAtMs ?? end.startedAtMs;
    const waitMs = firstStartMs - tokenAtMs;
    if (waitMs <= (lapseTolerance - 1) * intervalMs) return true;
    // The quota's interval is at least the time from that start to the last token over the calls
    // accepted (a bucket of one: the wait was all lost). Two starts accepted closer than that
    // prove a bucket of two: then a wait up to an interval lost nothing.
    const shortestIntervalMs = ((end.nextTokenAtMs ?? end.startedAtMs) - firstStartMs) / accepted;
    return this.#closestAcceptedMs < shortestIntervalMs / lapseTolerance && waitMs <= lapseTolerance * intervalMs;
  }

  /** Over the last three 429s before this one (or all there are), reaching further back for enough calls. */
  #measureUpTo(end: SampleBoundary): QuotaRateMeasure | undefined {
    const boundaries = this.#boundaries;
    for (let back = Math.min(preferredSpannedRefusals, boundaries.length); back >= 1 && back <= boundaries.length; back += 1) {
      const start = boundaries[boundaries.length - back]!;
      const accepted = this.#calls.filter((call) => call.startedAtMs >= start.startedAtMs && call.startedAtMs < end.startedAtMs && !call.isRejected).length;
      const isTokenToToken = start.nextTokenAtMs !== undefined && end.nextTokenAtMs !== undefined;
      const elapsedMs = isTokenToToken ? end.nextTokenAtMs! - start.nextTokenAtMs! : end.startedAtMs - start.startedAtMs;
      if (accepted >= (isTokenToToken ? minAcceptedBetweenHints : minAcceptedForEstimate) && elapsedMs > 0) {
        const intervalMs = elapsedMs / accepted;
        const isHintToTheMs = !start.slackMs && !end.slackMs;
        const isExact = isTokenToToken && isHintToTheMs && this.#isTokenWaitSafe(start, end, intervalMs, accepted) && this.#longestGapMs(start, end) <= lapseTolerance * intervalMs;
        return { intervalMs, isExact };
      }
    }
    return undefined;
  }
}

/**
 * Evidence per concurrency level (calls in flight at a call's start): accepted and refused calls.
 * A level is proven when the calls accepted at it or above outnumber twice those refused at it.
 * Past proof can go stale (the cap on calls in flight came down): the rate 429s at a level or above
 * since a call was last accepted there say so.
 */
export class LevelEvidence {
  readonly #accepted: number[] = [];
  readonly #refused: number[] = [];
  /** Per level: rate 429s at it or above since a call was last accepted at it or above. */
  readonly #rateRefusalsSinceAccepted: number[] = [];

  accepted(level: number): void {
    this.#accepted[level] = (this.#accepted[level] ?? 0) + 1;
    for (let at = 1; at <= level; at += 1) this.#rateRefusalsSinceAccepted[at] = 0;
  }

  /** A call counted as accepted at `level` (still unanswered after the acceptance time) was refused after all: it proves nothing there. */
  unaccepted(level: number): void {
    this.#accepted[level] = Math.max(0, (this.#accepted[level] ?? 0) - 1);
  }

  /** `isJudgedRate`: the refusal was put down to the rate, past slow start (whose burst proves nothing of the levels). */
  refused(level: number, isJudgedRate = false): void {
    this.#refused[level] = (this.#refused[level] ?? 0) + 1;
    if (isJudgedRate) for (let at = 1; at <= level; at += 1) this.#rateRefusalsSinceAccepted[at] = (this.#rateRefusalsSinceAccepted[at] ?? 0) + 1;
  }

  /** Refusals above `level` are void (they were put down to a cap that was not there). */
  forgetRefusalsAbove(level: number): void {
    this.#refused.length = Math.min(this.#refused.length, level + 1);
  }

  /** Rate 429s (past slow start) at this level or above since a call was last accepted at it or above. */
  rateRefusalsSinceAcceptedAt(level: number): number {
    return this.#rateRefusalsSinceAccepted[level] ?? 0;
  }

  /** Refusals at this level so far, if no call was ever accepted at it or above; 0 otherwise. */
  refusalsWhileUnprovenAt(level: number): number {
    for (let at = level; at < this.#accepted.length; at += 1) if ((this.#accepted[at] ?? 0) > 0) return 0;
    return this.#refused[level] ?? 0;
  }

  isProvenAt(level: number): boolean {
    let accepted = 0;
    for (let at = level; at < this.#accepted.length; at += 1) accepted += this.#accepted[at] ?? 0;
    return accepted > 2 * (this.#refused[level] ?? 0);
  }
}
