import { isProviderError, withoutUndefined } from '@/lib/core';
import type { AdaptivePacer, AdaptivePacingOptions, AdaptivePacingSnapshot, CallTicket, LaneLoad } from './adaptive-pacing-types';
import type { SlotOutcome } from './lane';
import { LatencyEstimate, LevelEvidence, QuotaRateSampler, StartRateMeter, type SampledCall } from './pacing-signals';

/**
 * The adaptive pacing controller: learns how fast a provider may be called without being told its
 * quota, from how its calls end. Pure apart from the injectable clock; `createAdaptiveLane` feeds
 * it and applies its two outputs (`concurrency`, `minIntervalMs`) to a lane.
 *
 * The request rate leads (quotas are per minute) and starts are spaced evenly, so a bucket-style
 * quota never sees bursts; the concurrency follows (slots for what that rate keeps in flight),
 * under a ceiling learned separately.
 *
 * - Slow start: one call at a time, `initialIntervalMs` apart. A 429 comes back at once, so a call
 *   still in flight after `acceptedAfterMs` was accepted: each acceptance adds a slot (doubling per
 *   acceptance time) until a latency is known, then raises the rate by 1/latency (doubling per
 *   round trip), until the first 429, which halves the rate reached.
 * - Which limit a 429 hit: refused at a number of calls in flight that is not proven (accepted
 *   calls at that level or above must outnumber twice the ones refused at it: a response in transit makes
 *   the count off by one now and then), above 3, while starts were held by the slots rather than the
 *   interval, it is the concurrency: the ceiling becomes that level - 1 and starts are paced evenly
 *   at the rate they came. Otherwise it is the rate: multiplicative decrease (x0.7) of the rate
 *   reached. A rate 429 under a learned ceiling shows the rate caused that one too: it is lifted.
 * - Measuring the rate: a token bucket is empty at each 429, so the calls accepted over the last
 *   few 429s (more at low rates, for at least four calls), over the time they span, measure its
 *   refill rate (low if pressure lapsed meanwhile, as it does for a latency after slow start: the
 *   429 that ends slow start starts no sample). The best measure is kept (replaced when pacing at
 *   it fails); after a rate 429, pacing restarts from it.
 * - Additive increase: recovery climbs (concave) back to just under the rate that failed or, once
 *   the quota is measured, to 5% over the measure (which errs low), and to the measure itself
 *   once a 429 came over it; then it probes +2% rate after each quiet spell. The concurrency
 *   ceiling is probed +1 per round trip of successes at it, the wait growing 4x after each probe
 *   that fails; a failed rate probe doubles the next spell.
 * - A 503 overload cuts the concurrency ceiling multiplicatively.
 * - `x-ratelimit-limit-requests` (OpenAI) is the quota itself: paced at, never probed past. An
 *   operator's `requestsPerMinute` is never exceeded.
 * - A 429 that says how many requests were left (OpenAI's `x-ratelimit-remaining-requests`) names
 *   its limit: none left, the rate; some left, the concurrency (above one call in flight).
 * - One reaction per congestion event: a call that started before the last reaction cannot cause
 *   another. Retry hints are honoured by the lane's pause (`runItem` calls `pauseFor`), not here.
 */

const defaults = { maxConcurrency: 16, initialIntervalMs: 500, acceptedAfterMs: 1_000, decreaseFactor: 0.7, probeAfterSuccesses: 64 };
/** Additive increase of the rate after a quiet spell. */
const rateProbeFactor = 1.02;
/** Recovery without a measure of the quota stops this far under the rate that failed. */
const recoveryMargin = 0.95;
/**
 * Once the quota is measured, recovery climbs to this much over the measured rate (interval x 0.95,
 * about +5%): the measure errs low (tokens overflow whenever pressure lapses), so a little over it
 * is where the quota usually is. The rate that failed is no guide then: a bucket hides an overshoot
 * until it is drained, so the rate reached by the time the 429 comes is well past the quota.
 */
const measuredRecoveryFactor = 0.95;
/**
 * At or below this many calls in flight a 429 is always taken for the rate: at such levels a rate
 * quota's refusals look just like a concurrency limit's, and a wrong ceiling there starves the lane.
 */
const minSuspectLevel = 3;
/** After a concurrency 429, starts are paced this much closer than they actually came. */
const suspectPaceFactor = 0.9;
/** Rate growth per round trip past the recovery target while the quota is unmeasured. */
const unmeasuredGrowth = 0.1;

export type { AdaptivePacer, AdaptivePacingOptions, AdaptivePacingSnapshot, CallTicket, LaneLoad } from './adaptive-pacing-types';

export function createAdaptivePacer(options: AdaptivePacingOptions = {}): AdaptivePacer {
  return new AdaptivePacingController(options);
}

interface Ticket extends CallTicket {
  readonly sample: SampledCall;
  isAccepted: boolean;
}

class AdaptivePacingController implements AdaptivePacer {
  readonly #maxConcurrency: number;
  readonly #decreaseFactor: number;
  readonly #minAcceptedAfterMs: number;
  readonly #probeAfterSuccesses: number;
  readonly #now: () => number;
  /** The operator's floor on the interval (from `requestsPerMinute`), 0 when none. */
  readonly #givenFloorIntervalMs: number;
  readonly #latency = new LatencyEstimate();
  readonly #starts = new StartRateMeter();
  readonly #sampler = new QuotaRateSampler();

  #intervalMs: number;
  #concurrency = 1;
  #concurrencyCeiling: number;
  #isSlowStart = true;
  /** The quota's interval per call as measured (between 429s) or stated (headers). */
  #measuredIntervalMs: number | undefined;
  #isRateFromHeaders = false;
  /** A rate 429 came while pacing over the measure: recovery stops at the measure from then on. */
  #isOverMeasureRefused = false;
  /** The interval at which the last rate 429 came: what recovery climbs back towards. */
  #failedIntervalMs: number | undefined;
  /** Per number of calls in flight at the start: how many calls were accepted, and refused. */
  readonly #levels = new LevelEvidence();
  #slowestRefusalMs = 0;
  #lastReactionAtMs = -Infinity;
  #reactions = 0;
  #quietRateSuccesses = 0;
  #rateProbeAfter: number;
  #isProbingRate = false;
  #quietConcurrencySuccesses = 0;
  #concurrencyProbeFailures = 0;
  #isProbingConcurrency = false;

  constructor(options: AdaptivePacingOptions) {
    const settings = { ...defaults, ...withoutUndefined(options) };
    assertPositiveInteger('maxConcurrency', settings.maxConcurrency);
    assertPositiveInteger('probeAfterSuccesses', settings.probeAfterSuccesses);
    if (!(settings.decreaseFactor > 0 && settings.decreaseFactor < 1)) {
      throw new RangeError(`decreaseFactor must be between 0 and 1, got ${settings.decreaseFactor}`);
    }
    for (const name of ['initialIntervalMs', 'acceptedAfterMs'] as const) {
      if (!(Number.isFinite(settings[name]) && settings[name] >= 0)) throw new RangeError(`${name} must be a finite number >= 0, got ${settings[name]}`);
    }
    const { requestsPerMinute } = options;
    if (requestsPerMinute !== undefined && !(Number.isFinite(requestsPerMinute) && requestsPerMinute > 0)) {
      throw new RangeError(`requestsPerMinute must be a positive number, got ${requestsPerMinute}`);
    }
    this.#maxConcurrency = settings.maxConcurrency;
    this.#decreaseFactor = settings.decreaseFactor;
    this.#minAcceptedAfterMs = settings.acceptedAfterMs;
    this.#now = options.now ?? Date.now;
    this.#givenFloorIntervalMs = requestsPerMinute === undefined ? 0 : 60_000 / requestsPerMinute;
    this.#concurrencyCeiling = settings.maxConcurrency;
    this.#intervalMs = Math.max(settings.initialIntervalMs, this.#givenFloorIntervalMs);
    this.#rateProbeAfter = settings.probeAfterSuccesses;
    this.#probeAfterSuccesses = settings.probeAfterSuccesses;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  get minIntervalMs(): number {
    return this.#intervalMs;
  }

  get acceptedAfterMs(): number {
    return Math.max(this.#minAcceptedAfterMs, 2 * this.#slowestRefusalMs);
  }

  snapshot(): AdaptivePacingSnapshot {
    return {
      concurrency: this.#concurrency,
      minIntervalMs: this.#intervalMs,
      isSlowStart: this.#isSlowStart,
      concurrencyCeiling: this.#concurrencyCeiling,
      ...(this.#measuredIntervalMs === undefined ? {} : { measuredRequestsPerMinute: 60_000 / this.#measuredIntervalMs }),
      reactions: this.#reactions,
    };
  }

  recordStart(inFlightAtStart: number): CallTicket {
    const startedAtMs = this.#now();
    this.#starts.add(startedAtMs);
    const ticket: Ticket = { startedAtMs, inFlightAtStart, sample: this.#sampler.add(startedAtMs), isAccepted: false };
    return ticket;
  }

  recordAccepted(callTicket: CallTicket, load: LaneLoad): void {
    const ticket = callTicket as Ticket;
    if (ticket.isAccepted) return;
    ticket.isAccepted = true;
    this.#levels.accepted(ticket.inFlightAtStart);
    if (this.#isProbingConcurrency && ticket.inFlightAtStart >= this.#concurrencyCeiling) {
      this.#isProbingConcurrency = false;
      this.#concurrencyProbeFailures = 0;
    }
    if (this.#isSlowStart) this.#growInSlowStart(load);
    this.#updateConcurrency();
  }

  recordEnd(callTicket: CallTicket, outcome: SlotOutcome | undefined, load: LaneLoad): void {
    const ticket = callTicket as Ticket;
    if (!outcome) return;
    if (outcome.status === 'succeeded') {
      this.recordAccepted(ticket, load);
      this.#onSuccess(ticket, outcome, load);
    } else {
      const kind = isProviderError(outcome.error) ? outcome.error.kind : undefined;
      if (kind === 'rate_limited') this.#onRateLimited(ticket, outcome.error);
      else if (kind === 'overloaded') this.#onOverloaded(ticket);
      // Other failures (safety, bad request, transient, timeout) say nothing about the quota.
    }
    this.#updateConcurrency();
  }

  #growInSlowStart(load: LaneLoad): void {
    if (!this.#latency.isKnown) {
      this.#concurrency = Math.min(this.#concurrency + 1, this.#concurrencyCeiling);
      return;
    }
    if (load.waiting > 0 && load.inFlight < this.#concurrency) this.#setInterval(this.#intervalMs / (1 + 1 / this.#callsPerLatency()));
  }

  #onSuccess(ticket: Ticket, outcome: Extract<SlotOutcome, { status: 'succeeded' }>, load: LaneLoad): void {
    this.#latency.add(Math.max(1, this.#now() - ticket.startedAtMs));
    const limit = outcome.rateLimit?.limitRequestsPerMinute;
    if (limit !== undefined && Number.isFinite(limit) && limit > 0) this.#learnRateFromHeaders(limit);
    if (this.#isSlowStart) return;
    if (load.inFlight >= this.#concurrency) this.#probeConcurrency();
    else if (load.waiting > 0) this.#growRate();
  }

  #growRate(): void {
    if (this.#isRateFromHeaders) return;
    // Just over the measured quota once there is a measure, else just under the rate that failed.
    const measured = this.#measuredIntervalMs;
    const targetMs =
      this.#failedIntervalMs === undefined
        ? undefined
        : measured !== undefined
          ? measured * (this.#isOverMeasureRefused ? 1 : measuredRecoveryFactor)
          : this.#failedIntervalMs / recoveryMargin;
    if (targetMs !== undefined && this.#intervalMs > targetMs * 1.001) {
      // Concave recovery: close a share of the gap per success (about 40% per round trip).
      this.#setInterval(Math.max(targetMs, this.#intervalMs - (this.#intervalMs - targetMs) / (2 * this.#callsPerLatency())));
      return;
    }
    if (this.#failedIntervalMs === undefined) {
      // Nothing refused at this rate yet (slow start ended on an overload): keep looking, +10% per round trip.
      this.#setInterval(this.#intervalMs / (1 + unmeasuredGrowth / this.#callsPerLatency()));
      return;
    }
    this.#quietRateSuccesses += 1;
    if (this.#quietRateSuccesses < this.#rateProbeAfter) return;
    this.#quietRateSuccesses = 0;
    this.#isProbingRate = true;
    this.#setInterval(this.#intervalMs / rateProbeFactor);
  }

  #probeConcurrency(): void {
    if (this.#concurrency < this.#concurrencyCeiling || this.#concurrencyCeiling >= this.#maxConcurrency) return;
    this.#quietConcurrencySuccesses += 1;
    // +1 per round trip of successes at the ceiling (additive increase); each failed probe makes the wait 4x.
    const probeAfter = Math.min(this.#probeAfterSuccesses, this.#concurrencyCeiling * 4 ** this.#concurrencyProbeFailures);
    if (this.#quietConcurrencySuccesses < probeAfter) return;
    this.#quietConcurrencySuccesses = 0;
    this.#concurrencyCeiling += 1;
    this.#isProbingConcurrency = true;
  }

  #onRateLimited(ticket: Ticket, error: unknown): void {
    ticket.sample.isRejected = true;
    this.#slowestRefusalMs = Math.max(this.#slowestRefusalMs, this.#now() - ticket.startedAtMs);
    const level = ticket.inFlightAtStart;
    const measureBefore = this.#measuredIntervalMs;
    const isFailedProbe = this.#isProbingConcurrency && level >= this.#concurrencyCeiling;
    // Starts held back by the interval (not by the slots) that get refused point at the rate,
    // unless this level was refused before and never accepted: then the level is the limit.
    const reachedIntervalMs = this.#reachedIntervalMs();
    const isPacedByInterval = reachedIntervalMs <= this.#intervalMs * 1.05 && !this.#levels.isRefutedAt(level);
    // OpenAI says how many requests were left when it refused: none means the rate; some means
    // another limit refused the call (calls in flight, or images or tokens per minute).
    const remaining = isProviderError(error) ? error.rateLimit?.remainingRequests : undefined;
    const isConcurrencySuspect =
      remaining === undefined
        ? isFailedProbe || (level > minSuspectLevel && !isPacedByInterval && !this.#levels.isProvenAt(level))
        : remaining > 0 && level > 1;
    this.#levels.refused(level);
    // Only a rate 429 closes the sample: a concurrency 429 leaves tokens in the bucket. Nor does the
    // one that ends slow start: for a whole latency after it the slots stay as slow start left them,
    // all taken, while the bucket refills past its size, so a sample from there measures low.
    const isSampleBoundary = !isConcurrencySuspect && !this.#isSlowStart;
    const measuredIntervalMs = isSampleBoundary ? this.#sampler.closeAt(ticket.sample) : undefined;
    if (ticket.startedAtMs < this.#lastReactionAtMs) return;
    const wasSlowStart = this.#isSlowStart;
    this.#react();
    if (isConcurrencySuspect) {
      this.#concurrencyProbeFailures = isFailedProbe ? this.#concurrencyProbeFailures + 1 : 0;
      this.#isProbingConcurrency = false;
      this.#concurrencyCeiling = Math.max(1, Math.min(this.#concurrencyCeiling, level - 1));
      this.#quietConcurrencySuccesses = 0;
    } else {
      // Refused at a level accepted before, within the ceiling: the ceiling was the rate's doing too.
      if (level <= this.#concurrencyCeiling) this.#concurrencyCeiling = this.#maxConcurrency;
      if (this.#isProbingRate) this.#rateProbeAfter *= 2;
      this.#isProbingRate = false;
      this.#quietRateSuccesses = 0;
      if (measuredIntervalMs !== undefined && !this.#isRateFromHeaders) {
        // Each sample errs low when pressure lapsed in it (tokens overflowed): keep the best one,
        // unless pacing at it is what just failed.
        const wasPacedAtMeasure = this.#measuredIntervalMs !== undefined && this.#intervalMs >= this.#measuredIntervalMs * 0.999;
        this.#measuredIntervalMs = wasPacedAtMeasure ? measuredIntervalMs : Math.min(this.#measuredIntervalMs ?? Infinity, measuredIntervalMs);
      }
    }
    if (isConcurrencySuspect) {
      // The rate is not to blame, but starts that bunch up behind completions are: pace them evenly,
      // a little faster than they came, and recover to the pace before from there.
      this.#failedIntervalMs = this.#intervalMs * recoveryMargin;
      this.#setInterval(Math.max(this.#intervalMs, (this.#starts.intervalMs() ?? 0) * suspectPaceFactor));
      return;
    }
    // The rate: to the measure when it is below the rate that failed, else by the decrease factor.
    if (measureBefore !== undefined && reachedIntervalMs < measureBefore) this.#isOverMeasureRefused = true;
    this.#failedIntervalMs = reachedIntervalMs;
    const measured = this.#measuredIntervalMs;
    // Leaving slow start, the rate may have doubled past the quota within a round trip: halve it.
    const factor = wasSlowStart ? 0.5 : this.#decreaseFactor;
    this.#setInterval(measured !== undefined && measured >= reachedIntervalMs ? measured : reachedIntervalMs / factor);
  }

  #onOverloaded(ticket: Ticket): void {
    if (ticket.startedAtMs < this.#lastReactionAtMs) return;
    this.#react();
    this.#concurrencyCeiling = Math.max(1, Math.min(this.#concurrencyCeiling, Math.floor(ticket.inFlightAtStart * this.#decreaseFactor)));
    this.#quietConcurrencySuccesses = 0;
  }

  #react(): void {
    this.#isSlowStart = false;
    this.#lastReactionAtMs = this.#now();
    this.#reactions += 1;
  }

  #learnRateFromHeaders(limitRequestsPerMinute: number): void {
    const intervalMs = 60_000 / limitRequestsPerMinute;
    if (this.#isRateFromHeaders && this.#measuredIntervalMs === intervalMs) return;
    this.#isRateFromHeaders = true;
    this.#measuredIntervalMs = intervalMs;
    // A quota the provider states is paced at directly (the lane spaces starts evenly).
    this.#setInterval(intervalMs);
  }

  /** The rate actually reached: the interval, unless concurrency or demand held starts back. */
  #reachedIntervalMs(): number {
    return Math.max(this.#intervalMs, this.#starts.intervalMs() ?? 0);
  }

  #callsPerLatency(): number {
    return this.#intervalMs > 0 ? Math.max(1, this.#latency.meanMs / this.#intervalMs) : this.#concurrency;
  }

  /** Applies the floors: the operator's rate and the quota the provider stated. */
  #setInterval(intervalMs: number): void {
    const statedMs = this.#isRateFromHeaders ? (this.#measuredIntervalMs ?? 0) : 0;
    this.#intervalMs = Math.max(intervalMs, this.#givenFloorIntervalMs, statedMs);
  }

  /** Once a latency is known: slots for the calls the rate keeps in flight, within the ceiling. */
  #updateConcurrency(): void {
    const ceiling = Math.min(this.#concurrencyCeiling, this.#maxConcurrency);
    if (!this.#latency.isKnown) {
      this.#concurrency = Math.max(1, Math.min(this.#concurrency, ceiling));
      return;
    }
    const needed = this.#intervalMs > 0 ? Math.ceil(this.#latency.highMs / this.#intervalMs) + 1 : ceiling;
    this.#concurrency = Math.max(1, Math.min(ceiling, needed));
  }
}

function assertPositiveInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
}

