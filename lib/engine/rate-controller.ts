import type { QuotaRateMeasure } from './pacing-signals';

/**
 * The adaptive controller's request rate, learned apart from the concurrency ceiling: the interval
 * between starts (the lane spaces starts evenly at it) and what is known of the quota's own rate.
 * Pure; the controller decides when a refusal is the rate's (see `classifyRefusal`) and tells
 * this part.
 *
 * - A rate 429 backs off: to the measured quota if there is one under the pace that failed, else
 *   x0.7, or by half when leaving slow start or when 429s come back to back (the rate is far off);
 *   a probe refused goes back to the pace that held before it (x0.7 below a +5% probe would give
 *   up a quarter of a rate that held, for a batch's rest on a short batch).
 *   Two in a row while pacing at the measure, or one while pacing at an exact measure (at a level
 *   of calls in flight already accepted), mean the quota shrank: the measure is dropped; unless the
 *   hint puts the next token within a quarter of an interval (a near miss: the measure slows by it).
 * - Recovery climbs back: to just over the measure, or, unmeasured, halfway (in log space) to the
 *   pace that failed, which overshot by an unknown amount.
 * - Then probes, each after a spell of quiet successes: +5%, doubling the step while they hold, up
 *   to just under the pace that failed last; past it only after a long quiet spell. Every 429
 *   counts, so the spells are long enough that a batch spends few of them on probing.
 * - A stated quota (`x-ratelimit-limit-requests`) is paced at and never probed past.
 */

/**
 * The first probe past a rate that held raises it this much; each probe that holds doubles the
 * step (up to `maxProbeStep`), each refusal brings it back: a search that finds a quota measured
 * low (the measure is only a floor: tokens that overflowed in a lapse are not counted) in a few
 * round trips instead of creeping up 2% at a time.
 */
const firstProbeStep = 0.05;
const maxProbeStep = 0.4;
/** Probes stop this far under the rate that failed last (then only a long quiet spell probes past it). */
const failedRateMargin = 0.97;
/** Successes at a rate before it is probed past: at least this many, and at least a round trip's worth. */
const minProbeWait = 5;
/** Recovery without a measure of the quota stops at least this far under the rate that failed. */
const recoveryMargin = 0.95;
/**
 * Once the quota is measured, recovery climbs to this much over the measured rate (interval x 0.95,
 * about +5%): the measure errs low (tokens overflow whenever pressure lapses), so a little over it
 * is where the quota usually is. The rate that failed is no guide then: a bucket hides an overshoot
 * until it is drained, so the rate reached by the time the 429 comes is well past the quota.
 */
const measuredRecoveryFactor = 0.95;
/**
 * Past an exact measure (the refill itself) a probe can only find a quota that grew: it waits this
 * many long quiet spells, as each one that fails costs a 429 and a pause for nothing.
 */
const exactMeasureProbeFactor = 4;
/** A 429 whose hint is at most this share of the measured interval, while pacing at an exact measure, is a near miss, not a quota that shrank. */
const nearMissShare = 0.25;
/** Rate growth per round trip past the recovery target while the quota is unmeasured. */
const unmeasuredGrowth = 0.1;

/** What is known of the quota's rate: nothing, a measure between 429s, or what the provider stated. */
export type QuotaRateKnowledge =
  | { source: 'unknown' }
  | {
      source: 'measured';
      intervalMs: number;
      /** A rate 429 came while pacing over the measure: recovery stops at the measure from then on. */
      isOvershootRefused: boolean;
      /** The refill itself, not a floor under it (see `QuotaRateMeasure`): recovery stops at it, probes past it wait for the long quiet spell. */
      isExact: boolean;
    }
  | { source: 'stated'; intervalMs: number };

/** What else the controller knew of a rate 429. */
export interface RateRefusalContext {
  /** It is the first 429 of the run, which ends slow start. */
  isLeavingSlowStart: boolean;
  /** Calls were accepted at its level of calls in flight or above (see `LevelEvidence.isProvenAt`): no cap can have refused it. */
  isLevelProven: boolean;
  /**
   * Its hint announced a token a whole refill of this long after the last accepted start, and no
   * two accepted starts came closer: the bucket may hold a single token, this long a refill (see
   * `QuotaRateSampler.oneTokenRefill`). Undefined otherwise.
   */
  oneTokenRefillMs?: number;
  /** Its retry hint, if it had one. */
  retryAfterMs?: number;
}

/** What a rate 429 told: nothing new about the quota's shape, or that it shrank (samples before it are void). */
export type RateRefusalVerdict = 'as-known' | 'quota-shrank';

export interface RateControllerOptions {
  initialIntervalMs: number;
  /** The operator's floor on the interval (from `requestsPerMinute`), 0 when none. */
  floorIntervalMs: number;
  decreaseFactor: number;
  /** The longest quiet spell, in successes, before a probe: past the pace that failed, always this long. */
  probeAfterSuccesses: number;
}

export class RateController {
  readonly #floorIntervalMs: number;
  readonly #decreaseFactor: number;
  #intervalMs: number;
  #quota: QuotaRateKnowledge = { source: 'unknown' };
  /** The pace at which the last rate 429 came: what recovery climbs back towards, and probes stay under. */
  #failedIntervalMs: number | undefined;
  /** The interval the last rate 429 backed off to. */
  #backedOffIntervalMs: number | undefined;
  #phase: 'holding' | 'probing' = 'holding';
  /**
   * Slow start ended on a 429 that a bucket of one this long a refill explains (`oneTokenRefillMs`):
   * recovery climbs to it, not just halfway back to the pace that failed. Exact for a bucket of
   * one; for a bigger one a floor under the refill, which costs one 429 more, and that one starts
   * a sample of the quota. Dropped at the next rate 429.
   */
  #oneTokenRefillMs: number | undefined;
  /** What the last rate 429 changed, to undo if it turns out to be a cap's (`forgetLastRefusal`). */
  #beforeLastRefusal:
    | { quota: QuotaRateKnowledge; failedIntervalMs: number | undefined; backedOffIntervalMs: number | undefined; oneTokenRefillMs: number | undefined }
    | undefined;
  #quietSuccesses = 0;
  /** The interval before the last probe step: it held a quiet spell. */
  #heldBeforeProbeMs: number | undefined;
  /** Calls that succeeded since the last rate 429 (as many as any call made before the first). */
  #successesSinceRefusal = Infinity;
  #probeStep = firstProbeStep;
  /** Probes that failed in a row: each makes the wait before the next 4x longer (up to `#longestProbeWait`). */
  #failedProbes = 0;
  readonly #longestProbeWait: number;

  constructor(options: RateControllerOptions) {
    this.#floorIntervalMs = options.floorIntervalMs;
    this.#decreaseFactor = options.decreaseFactor;
    this.#longestProbeWait = options.probeAfterSuccesses;
    this.#intervalMs = Math.max(options.initialIntervalMs, options.floorIntervalMs);
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  get quota(): QuotaRateKnowledge {
    return this.#quota;
  }

  /** The quota's interval per call as measured or stated; undefined while unknown. */
  get quotaIntervalMs(): number | undefined {
    return this.#quota.source === 'unknown' ? undefined : this.#quota.intervalMs;
  }

  recordSuccess(): void {
    this.#successesSinceRefusal += 1;
  }

  /** Slow start, once a latency is known: +1/latency of rate per acceptance (doubling per round trip). */
  growInSlowStart(callsPerLatency: number): void {
    this.#setInterval(this.#intervalMs / (1 + 1 / callsPerLatency));
  }

  /** A success while callers wait and slots are free: recover towards the target, then probe now and then. */
  grow(callsPerLatency: number): void {
    // A stated quota is paced at, never probed past (`#setInterval` keeps the interval at or over it).
    if (this.#quota.source === 'stated') {
      this.#setInterval(this.#quota.intervalMs);
      return;
    }
    const targetMs = this.#recoveryTargetMs();
    if (targetMs !== undefined && this.#intervalMs > targetMs * 1.001) {
      // Concave recovery: close a share of the gap per success (about 40% per round trip; twice as
      // fast to a bucket of one's refill, a target the 429's own hint gave, not a guess).
      const share = this.#oneTokenRefillMs !== undefined && targetMs <= this.#oneTokenRefillMs * 1.001 ? 1 : 2;
      this.#setInterval(Math.max(targetMs, this.#intervalMs - (this.#intervalMs - targetMs) / (share * callsPerLatency)));
      return;
    }
    if (this.#failedIntervalMs === undefined) {
      // Nothing refused at this rate yet (slow start ended on an overload): keep looking, +10% per round trip.
      this.#setInterval(this.#intervalMs / (1 + unmeasuredGrowth / callsPerLatency));
      return;
    }
    this.#quietSuccesses += 1;
    // Up to just under the rate that failed, probes come after a round trip of quiet; past it,
    // where the quota was already found, only after a long quiet spell.
    const underFailedMs = this.#failedIntervalMs / failedRateMargin;
    // An exact measure is the quota's refill: a probe past it finds nothing but a 429.
    const quota = this.#quota;
    const isAtExactMeasure = quota.source === 'measured' && quota.isExact && this.#intervalMs <= quota.intervalMs * 1.001;
    const isBelowFailed = !isAtExactMeasure && this.#intervalMs > underFailedMs * 1.001;
    const roundTripWait = Math.max(minProbeWait, Math.ceil(callsPerLatency)) * 4 ** this.#failedProbes;
    const probeWait = isBelowFailed ? Math.min(this.#longestProbeWait, roundTripWait) : isAtExactMeasure ? exactMeasureProbeFactor * this.#longestProbeWait : this.#longestProbeWait;
    if (this.#quietSuccesses < probeWait) return;
    this.#quietSuccesses = 0;
    // A probe that held: the next one goes further.
    if (this.#phase === 'probing') {
      this.#probeStep = Math.min(maxProbeStep, this.#probeStep * 2);
      this.#failedProbes = 0;
    }
    this.#phase = 'probing';
    this.#heldBeforeProbeMs = this.#intervalMs;
    const probedMs = this.#intervalMs / (1 + this.#probeStep);
    this.#setInterval(isBelowFailed ? Math.max(probedMs, underFailedMs) : this.#intervalMs / (1 + firstProbeStep));
  }

  /**
   * A 429 for the rate, reached at `reachedIntervalMs` (the interval, or slower if starts were held
   * back). `sampled` is the quota measured over the sample this 429 closed, if any.
   */
  onRateRefusal(reachedIntervalMs: number, sampled: QuotaRateMeasure | undefined, context: RateRefusalContext): RateRefusalVerdict {
    const { isLeavingSlowStart } = context;
    this.#beforeLastRefusal = {
      quota: this.#quota,
      failedIntervalMs: this.#failedIntervalMs,
      backedOffIntervalMs: this.#backedOffIntervalMs,
      oneTokenRefillMs: this.#oneTokenRefillMs,
    };
    this.#oneTokenRefillMs = isLeavingSlowStart ? context.oneTokenRefillMs : undefined;
    const heldBeforeProbeMs = this.#phase === 'probing' ? this.#heldBeforeProbeMs : undefined;
    if (this.#phase === 'probing') this.#failedProbes += 1;
    this.#probeStep = firstProbeStep;
    this.#phase = 'holding';
    this.#quietSuccesses = 0;
    const isBackToBack = this.#successesSinceRefusal <= 1;
    this.#successesSinceRefusal = 0;
    const quotaBefore = this.#quota;
    // Refused twice in a row while pacing no faster than the measure, or once while pacing at an
    // exact one (the refill itself: pacing at it is never refused while the quota stays) at a level
    // of calls in flight proven (a first refusal at a new level may be a cap's): the quota shrank
    // (halved, or shared). The measure is history: forget it, and back off as if nothing were known.
    const isPacedAtMeasure = quotaBefore.source === 'measured' && this.#intervalMs >= quotaBefore.intervalMs * 0.999;
    // Unless its hint says the token was only just late: the measure was a little fast (it spans a
    // call or two, and starts and answers jitter by milliseconds); a quota that shrank makes the next
    // token come a good share of an interval away. The measure slows by the wait and stays.
    const nearMissMs = context.retryAfterMs !== undefined && quotaBefore.source === 'measured' && context.retryAfterMs <= nearMissShare * quotaBefore.intervalMs ? context.retryAfterMs : undefined;
    if (isPacedAtMeasure && !isBackToBack && quotaBefore.isExact && nearMissMs !== undefined) {
      this.#quota = { ...quotaBefore, intervalMs: quotaBefore.intervalMs + nearMissMs };
      this.#failedIntervalMs = reachedIntervalMs;
      this.#setInterval(this.#quota.intervalMs);
      this.#backedOffIntervalMs = this.#intervalMs;
      return 'as-known';
    }
    if (isPacedAtMeasure && (isBackToBack || (quotaBefore.isExact && context.isLevelProven))) {
      this.#quota = { source: 'unknown' };
      this.#failedIntervalMs = reachedIntervalMs;
      this.#setInterval(reachedIntervalMs / 0.5);
      this.#backedOffIntervalMs = this.#intervalMs;
      return 'quota-shrank';
    }
    if (sampled !== undefined && quotaBefore.source !== 'stated') this.#updateMeasure(sampled);
    // Refused faster than the measure said was safe: from now on recovery stops at the measure.
    if (quotaBefore.source === 'measured' && reachedIntervalMs < quotaBefore.intervalMs && this.#quota.source === 'measured') this.#quota.isOvershootRefused = true;
    // Leaving slow start, the starts that drained the bucket came at the pace the interval allowed,
    // faster than their mean over the last few: that pace, not the mean, is what failed.
    this.#failedIntervalMs = isLeavingSlowStart ? Math.min(reachedIntervalMs, this.#intervalMs) : reachedIntervalMs;
    const measuredMs = this.quotaIntervalMs;
    // Leaving slow start, the rate may have doubled past the quota within a round trip: halve it.
    // So when 429s come back to back (a call or none got through between): the rate is far off.
    const factor = isLeavingSlowStart || isBackToBack ? 0.5 : this.#decreaseFactor;
    // A probe refused: back to the pace that held a quiet spell before it, not a cut below it.
    const backedOffMs = heldBeforeProbeMs !== undefined && !isBackToBack ? Math.min(heldBeforeProbeMs, reachedIntervalMs / factor) : reachedIntervalMs / factor;
    this.#setInterval(measuredMs !== undefined && measuredMs >= reachedIntervalMs ? measuredMs : backedOffMs);
    this.#backedOffIntervalMs = this.#intervalMs;
    return 'as-known';
  }

  /**
   * The last rate 429 turned out to be a cap on calls in flight's (refused again at its level, or
   * a probe got through before its token): what it taught of the quota is void. Back to the
   * measure and the pace that failed as they were before it. Not the interval: the pace before
   * it was never shown to hold (slow start's, often), and the slots pace the starts now
   * (`yieldToSlots` brings the interval down to what they need).
   */
  forgetLastRefusal(): void {
    const before = this.#beforeLastRefusal;
    if (!before) return;
    this.#beforeLastRefusal = undefined;
    this.#quota = before.quota;
    this.#failedIntervalMs = before.failedIntervalMs;
    this.#backedOffIntervalMs = before.backedOffIntervalMs;
    this.#oneTokenRefillMs = before.oneTokenRefillMs;
  }

  /**
   * The calls in flight are the limit (a concurrency 429 said so): the rate must not bind as well,
   * or slots that free up at random moments wait for their turn. Starts may come twice as fast as
   * the slots can take them (`slotsIntervalMs`: mean latency / ceiling), never faster than a
   * quota measured or stated, nor than the pace the last rate 429 backed off to.
   */
  yieldToSlots(slotsIntervalMs: number): void {
    // Not back to a rate that was refused either: a ceiling is a judgement, the rate's 429 was a
    // fact, and the pace it backed off to is what holds while it stands (a 429 found to be the cap's
    // is forgotten first, `forgetLastRefusal`). Back to the pace that failed itself, a quota with a
    // cap and a slow rate (0.5/s, a bucket of 9, 300 ms away, no hints) got bursts at slow start's
    // last pace after every cap judgement: 48 429s for 24 images, one lost.
    const targetMs = Math.max(slotsIntervalMs / 2, this.quotaIntervalMs ?? 0, this.#backedOffIntervalMs ?? 0);
    if (this.#intervalMs > targetMs) this.#setInterval(targetMs);
  }

  /** The provider stated its quota (`x-ratelimit-limit-requests`): paced at, never probed past. */
  learnStated(limitRequestsPerMinute: number): void {
    const intervalMs = 60_000 / limitRequestsPerMinute;
    if (this.#quota.source === 'stated' && this.#quota.intervalMs === intervalMs) return;
    this.#quota = { source: 'stated', intervalMs };
    this.#setInterval(intervalMs);
  }

  /** Each sample errs low when pressure lapsed in it (tokens overflowed): keep the best one, unless pacing at it is what just failed. */
  #updateMeasure(sampled: QuotaRateMeasure): void {
    const current = this.#quota;
    const wasPacedAtMeasure = current.source === 'measured' && this.#intervalMs >= current.intervalMs * 0.999;
    const isKept = current.source === 'measured' && !wasPacedAtMeasure && current.intervalMs <= sampled.intervalMs;
    this.#quota = {
      source: 'measured',
      intervalMs: isKept ? current.intervalMs : sampled.intervalMs,
      isOvershootRefused: current.source === 'measured' && current.isOvershootRefused,
      isExact: isKept ? current.isExact : sampled.isExact,
    };
  }

  /** Just over the measured quota once there is a measure, else halfway back to the rate that failed (probes go on from there). */
  #recoveryTargetMs(): number | undefined {
    if (this.#failedIntervalMs === undefined) return undefined;
    const quota = this.#quota;
    if (quota.source === 'measured') return quota.intervalMs * (quota.isOvershootRefused || quota.isExact ? 1 : measuredRecoveryFactor);
    // Halfway (in log space) back to the rate that failed: that rate overshot, by how much is unknown.
    const underFailedMs = this.#failedIntervalMs / recoveryMargin;
    const halfwayMs = Math.max(underFailedMs, Math.sqrt(this.#failedIntervalMs * (this.#backedOffIntervalMs ?? this.#failedIntervalMs)));
    // Unless a bucket of one explains that 429: then its refill is where the quota may well be.
    return this.#oneTokenRefillMs === undefined ? halfwayMs : Math.min(halfwayMs, Math.max(this.#oneTokenRefillMs, underFailedMs));
  }

  /** Applies the floors: the operator's rate and the quota the provider stated. */
  #setInterval(intervalMs: number): void {
    const statedMs = this.#quota.source === 'stated' ? this.#quota.intervalMs : 0;
    this.#intervalMs = Math.max(intervalMs, this.#floorIntervalMs, statedMs);
  }
}
