import { isProviderError, withoutUndefined } from '@/lib/core';
import type { AdaptivePacer, AdaptivePacingOptions, AdaptivePacingPhase, AdaptivePacingSnapshot, CapProbe, LaneLoad, RefusalVerdict } from './adaptive-pacing-types';
import { CallTicket } from './call-ticket';
import { ConcurrencyCeiling } from './concurrency-ceiling';
import type { SlotOutcome } from './lane';
import { LatencyEstimate, QuotaRateSampler, StartRateMeter, type SampledCall } from './pacing-signals';
import { RateController } from './rate-controller';
import { classifyRefusal, refusalsToJudgeAt, type RefusalCause, type RefusalEvidence } from './refusal-classifier';

/**
 * The adaptive pacing controller: learns how fast a provider may be called without being told its
 * quota, from how its calls end. Pure apart from the injectable clock; `createAdaptiveLane` feeds
 * it and applies its two outputs (`concurrency`, `minIntervalMs`) to a lane.
 *
 * Three parts, each in its own file: the request rate (`RateController`: it leads, as quotas are
 * per minute, and starts are spaced evenly so a bucket-style quota never sees bursts), the
 * concurrency ceiling (`ConcurrencyCeiling`), and the judgement of which of the two limits a 429
 * hit (`classifyRefusal`). This file gathers the evidence, keeps the phase, and sizes the slots:
 * enough for what the rate keeps in flight, under the ceiling.
 *
 * - Slow start: one call at a time, `initialIntervalMs` apart. A 429 comes back at once, so a call
 *   still in flight after `acceptedAfterMs` was accepted: each acceptance adds a slot and starts
 *   as much faster until a latency is known. The accepted call keeps its slot, so that is one start
 *   more per acceptance: the calls in flight grow by one per acceptance time (linearly: a batch of
 *   9 s calls reaches 32 in flight in 8 s), not doubling. Once a call has ended it raises the rate
 *   by 1/latency per acceptance (doubling per acceptance time), until the first 429, which halves
 *   the rate reached. (Two slots per acceptance, tried, doubled the ramp but overshot slow rates
 *   behind long calls: the grid's 30/min shape with 30 s calls fell to 46%.)
 * - Steady: a rate 429 cuts the rate (see `RateController`), a concurrency 429 lowers the ceiling
 *   under the level refused and lets the slots, not the rate, pace the starts; successes recover
 *   the rate and probe both limits again.
 * - Which limit: one 429 at a level of calls in flight never accepted is the rate's; a second one
 *   there, before any call got through at it, is the concurrency's; at a level accepted before, a
 *   429 after a hinted rate 429 at it or above, none accepted there between, says the cap came
 *   down (`classifyRefusal`). When a 429 taken for the rate for want of that evidence has a hint
 *   that outlasts a call, or comes before any latency is known (a cap would refuse with a fixed
 *   hint of a second or so, a 200 ms call apart), the lane does not pause every start for it: it
 *   lets one call start, at a level accepted before, as soon as a slot frees (`capProbe`). A rate
 *   limit has no token before the one its hint announced, so that call is refused again (one 429
 *   more, not reacted to: it was sent early on purpose); accepted, it proves the cap, and the
 *   ceiling goes under the level. At two in flight too, where a cap of one is otherwise only
 *   judged on the third refusal and the pauses for the first two idle the lane past the end of
 *   the call in flight (the grid's cap of one: slower than sequential on every seed).
 * - A rate 429's hint announces the next token: the first call started once it came had it, so a
 *   429 of that call is another limit's (`isFirstStartOnAnnouncedToken`), whatever its level.
 * - Measuring the rate: a token bucket is empty at each 429, so the calls accepted over the last
 *   few 429s, over the time they span, measure its refill rate (`QuotaRateSampler`); from token to
 *   token when the 429s' retry hints say when the next one comes, which needs fewer calls. The 429 that
 *   ends slow start starts no sample: for a whole latency after it the slots stay as slow start
 *   left them, all taken, while the bucket refills past its size, so a sample from there measures low.
 * - A rate 429's hint says when the next token comes. While the bucket may hold a single token
 *   (no two accepted starts came closer than the refill the hint implies), a start comes on that
 *   token, whatever the interval says (`startsOnAnnouncedToken`): a full bucket of one throws away
 *   the refill of every moment a start waits past it, and the sample from there would measure low.
 * - A 503 overload cuts the concurrency ceiling multiplicatively; once calls get through again it
 *   climbs back a slot per accepted call (a storm passes; an overload of our own making returns).
 * - `x-ratelimit-limit-requests` (OpenAI) is the quota itself: paced at, never probed past. An
 *   operator's `requestsPerMinute` is never exceeded.
 * - One reaction per congestion event: a call that started before the last reaction cannot cause
 *   another. Retry hints are honoured by the lane's pause (`runItem` calls `pauseFor`), not here.
 */

const defaults = { maxConcurrency: 16, initialIntervalMs: 500, acceptedAfterMs: 250, decreaseFactor: 0.7, probeAfterSuccesses: 64 };

export type { AdaptivePacer, AdaptivePacingOptions, AdaptivePacingPhase, AdaptivePacingSnapshot, CapProbe, LaneLoad, RefusalVerdict } from './adaptive-pacing-types';
export { CallTicket } from './call-ticket';

/**
 * The next token as the last rate 429's hint announced it: at `atMs`, or, when the hint may be a
 * second off, anywhere from `fromMs` to `byMs`. The first call started once it may have come had
 * it, if it started once it surely had.
 */
interface AnnouncedToken {
  atMs: number;
  fromMs: number;
  byMs: number;
  firstStart?: { ticket: CallTicket; hadIt: boolean };
}

export function createAdaptivePacer(options: AdaptivePacingOptions = {}): AdaptivePacer {
  return new AdaptivePacingController(options);
}

class AdaptivePacingController implements AdaptivePacer {
  readonly #maxConcurrency: number;
  readonly #decreaseFactor: number;
  readonly #minAcceptedAfterMs: number;
  readonly #now: () => number;
  readonly #latency = new LatencyEstimate();
  readonly #starts = new StartRateMeter();
  readonly #sampler = new QuotaRateSampler();
  readonly #rate: RateController;
  readonly #ceiling: ConcurrencyCeiling;

  #phase: AdaptivePacingPhase = 'slow-start';
  /** Which limit the last 429 was put down to: what binds, as far as the controller knows. */
  #bindingLimit: RefusalCause | 'unknown' = 'unknown';
  #concurrency = 1;
  #slowestRefusalMs = 0;
  #lastReactionAtMs = -Infinity;
  #reactions = 0;
  #capProbe: CapProbe | undefined;
  /** When the next token comes, as the last rate 429's hint said, and the first call started once it may have (see `AnnouncedToken`). */
  #announcedToken: AnnouncedToken | undefined;
  /** The call the lane made to test `#capProbe`. */
  #capProbeTicket: CallTicket | undefined;
  /** The last 429 put down to the rate and reacted to: undone if it turns out to be the cap's. */
  #lastRateRefusal: { level: number; sample: SampledCall } | undefined;

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
    this.#rate = new RateController({
      initialIntervalMs: settings.initialIntervalMs,
      floorIntervalMs: requestsPerMinute === undefined ? 0 : 60_000 / requestsPerMinute,
      decreaseFactor: settings.decreaseFactor,
      probeAfterSuccesses: settings.probeAfterSuccesses,
    });
    this.#ceiling = new ConcurrencyCeiling(settings.maxConcurrency, settings.probeAfterSuccesses);
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  get minIntervalMs(): number {
    return this.#rate.intervalMs;
  }

  get acceptedAfterMs(): number {
    return Math.max(this.#minAcceptedAfterMs, 2 * this.#slowestRefusalMs);
  }

  snapshot(): AdaptivePacingSnapshot {
    const quotaIntervalMs = this.#rate.quotaIntervalMs;
    return {
      concurrency: this.#concurrency,
      minIntervalMs: this.#rate.intervalMs,
      phase: this.#phase,
      concurrencyCeiling: this.#ceiling.value,
      ...(quotaIntervalMs === undefined ? {} : { measuredRequestsPerMinute: 60_000 / quotaIntervalMs }),
      reactions: this.#reactions,
    };
  }

  recordStart(inFlightAtStart: number): CallTicket {
    const startedAtMs = this.#now();
    this.#starts.add(startedAtMs);
    const ticket = new CallTicket(startedAtMs, inFlightAtStart, this.#sampler.add(startedAtMs), this.#rate.intervalMs);
    const token = this.#announcedToken;
    if (token && !token.firstStart && startedAtMs >= token.fromMs) token.firstStart = { ticket, hadIt: startedAtMs >= token.byMs };
    return ticket;
  }

  recordAccepted(ticket: CallTicket, load: LaneLoad): void {
    if (!ticket.markAccepted()) return;
    this.#ceiling.recordAccepted(ticket.inFlightAtStart);
    if (this.#phase === 'slow-start') this.#growInSlowStart(load);
    this.#updateConcurrency();
  }

  recordEnd(ticket: CallTicket, outcome: SlotOutcome | undefined, load: LaneLoad): RefusalVerdict | undefined {
    if (!outcome) return undefined;
    let verdict: RefusalVerdict | undefined;
    if (outcome.status === 'succeeded') {
      this.recordAccepted(ticket, load);
      this.#onSuccess(ticket, outcome, load);
    } else {
      const kind = isProviderError(outcome.error) ? outcome.error.kind : undefined;
      if (kind === 'rate_limited') verdict = this.#onRateLimited(ticket, outcome.error);
      else if (kind === 'overloaded') this.#onOverloaded(ticket);
      // Other failures (safety, bad request, transient, timeout) say nothing about the quota.
    }
    this.#updateConcurrency();
    return verdict;
  }

  #growInSlowStart(load: LaneLoad): void {
    if (!this.#latency.isKnown) {
      // An acceptance proves the pace so far: one slot more (one start more: the accepted call keeps its slot), and starts as much faster.
      this.#rate.growInSlowStart(this.#concurrency);
      this.#concurrency = Math.min(this.#concurrency + 1, this.#ceiling.value);
      return;
    }
    // Each call is known accepted after the acceptance time (or its latency, if shorter): the rate
    // doubles per that time, not per round trip, or a batch of 9 s calls would ramp up for a minute.
    if (load.waiting > 0 && load.inFlight < this.#concurrency) this.#rate.growInSlowStart(this.#callsPer(Math.min(this.#latency.meanMs, this.acceptedAfterMs)));
  }

  #onSuccess(ticket: CallTicket, outcome: Extract<SlotOutcome, { status: 'succeeded' }>, load: LaneLoad): void {
    this.#latency.add(Math.max(1, this.#now() - ticket.startedAtMs));
    this.#rate.recordSuccess();
    const limit = outcome.rateLimit?.limitRequestsPerMinute;
    if (limit !== undefined && Number.isFinite(limit) && limit > 0) this.#rate.learnStated(limit);
    if (this.#phase === 'slow-start') return;
    if (this.#bindingLimit === 'concurrency') this.#rate.yieldToSlots(this.#latency.meanMs / this.#ceiling.value);
    if (load.inFlight >= this.#concurrency) {
      if (this.#concurrency >= this.#ceiling.value) this.#ceiling.recordSuccessAtCeiling();
    } else if (load.waiting > 0) {
      this.#rate.grow(this.#callsPerLatency());
    }
  }

  #onRateLimited(ticket: CallTicket, error: unknown): RefusalVerdict {
    ticket.sample.isRejected = true;
    // Counted as accepted when the acceptance time passed unanswered: a 429 slower than that (a far
    // provider's round trip) proves no level of calls in flight.
    if (ticket.isAccepted) this.#ceiling.levels.unaccepted(ticket.inFlightAtStart);
    this.#slowestRefusalMs = Math.max(this.#slowestRefusalMs, this.#now() - ticket.startedAtMs);
    const level = ticket.inFlightAtStart;
    const evidence = this.#refusalEvidence(ticket, error);
    const cause = classifyRefusal(evidence);
    // An echo of a congestion already reacted to (started before the reaction) was refused before
    // any hint could be waited out: no evidence that the cap came down (see `classifyRefusal`).
    const isEcho = ticket.startedAtMs < this.#lastReactionAtMs;
    this.#ceiling.recordRefused(level, cause === 'rate' && this.#phase !== 'slow-start' && !isEcho);
    const retryAfterMs = isProviderError(error) ? error.retryAfterMs : undefined;
    const oneToken = cause === 'rate' && retryAfterMs !== undefined ? this.#sampler.oneTokenRefill(ticket.sample, retryAfterMs) : undefined;
    // Not on the 429 that ends slow start: the pace was far off, a start on the token is refused again.
    // Nor on an echo's: its token was decided before the reaction, half a round trip before its
    // answer came back, and the calls sent since may have taken it (a far provider: 20/s, 65% to 73%).
    const judged: RefusalVerdict = { cause, startsOnAnnouncedToken: this.#phase !== 'slow-start' && !isEcho && oneToken?.mayHoldOne === true };
    this.#capProbe = undefined;
    // A rate 429's hint announces the next token (a later one than any announced before it), give
    // or take a second when the hint may be that far off (whole seconds, rounded either way).
    const slackMs = isProviderError(error) ? (error.retryAfterSlackMs ?? 0) : 0;
    if (cause === 'rate' && retryAfterMs !== undefined) {
      const atMs = Math.max(this.#now() + retryAfterMs, this.#announcedToken?.atMs ?? 0);
      this.#announcedToken = { atMs, fromMs: atMs - slackMs, byMs: atMs + slackMs };
    }
    else if (cause === 'concurrency') this.#announcedToken = undefined;
    const isRefusedCapProbe = ticket === this.#capProbeTicket;
    this.#capProbeTicket = undefined;
    // Only a rate 429 closes the sample: a concurrency 429 leaves tokens in the bucket. Nor does
    // the one that ends slow start (see the sampler's note above), nor the echoes of a congestion
    // already reacted to (calls started before the reaction): over HTTP, slow start's burst counts
    // calls whose answers are on their way as in flight, so its echoes may be a cap's 429s taken
    // for the rate's, and their fixed hints, read as tokens, measured a third of the quota.
    const sampledIntervalMs = cause === 'rate' && this.#phase !== 'slow-start' && !isEcho ? this.#sampler.closeAt(ticket.sample, retryAfterMs, slackMs) : undefined;
    if (isEcho) return judged;
    // The cap probe's call, refused: the 429 it tested was the rate's, as was reacted to. It came
    // before the announced token on purpose, so it says nothing new of the pace.
    if (isRefusedCapProbe && cause === 'rate') return judged;
    const isLeavingSlowStart = this.#react();
    this.#bindingLimit = cause;
    if (cause === 'concurrency') {
      // Refused again at the level of the last rate 429, before any call got through there: that one
      // was the cap's too. So at a level proven before, when this 429 says the cap came down: the
      // rate 429 at it or above that it follows was the lower cap's first. Not at two in flight,
      // where a bucket of one refuses as a cap of one would.
      const wasCapsToo =
        evidence.earlierRefusalsAtLevel > 0
          ? this.#lastRateRefusal?.level === level
          : evidence.rateRefusalsSinceAcceptedAtLevel > 0 && (this.#lastRateRefusal?.level ?? 0) >= level;
      if (level >= 3 && wasCapsToo) this.#forgetLastRateRefusal();
      const pauseMs = isProviderError(error) ? (error.retryAfterMs ?? 0) : 0;
      const pauseInCalls = this.#latency.isKnown ? (pauseMs / this.#latency.meanMs) * Math.max(1, level - 1) : 0;
      this.#ceiling.lowerUnder(level, evidence.isFailedConcurrencyProbe, pauseInCalls);
      if (this.#latency.isKnown) this.#rate.yieldToSlots(this.#latency.meanMs / this.#ceiling.value);
      return judged;
    }
    this.#lastRateRefusal = { level, sample: ticket.sample };
    if (this.#isWorthACapProbe(evidence, retryAfterMs)) this.#capProbe = { refusedLevel: level, ...(slackMs > 0 ? { hintSlackMs: slackMs } : {}) };
    this.#ceiling.liftIfRefusedWithin(level);
    const verdict = this.#rate.onRateRefusal(this.#failedIntervalMs(ticket), sampledIntervalMs, {
      isLeavingSlowStart,
      isLevelProven: evidence.isLevelProven,
      ...(oneToken?.mayHoldOne && oneToken.refillMs !== undefined ? { oneTokenRefillMs: oneToken.refillMs } : {}),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
    if (verdict === 'quota-shrank') this.#sampler.forgetBefore(ticket.sample);
    return this.#capProbe ? { ...judged, capProbe: this.#capProbe } : judged;
  }

  /**
   * A 429 taken for the rate only for want of evidence (the first at a level never accepted; at
   * two in flight, either of the first two), whose hint would idle the lane longer than a call
   * lasts, or may (no latency known yet): every slot would drain while a cap on calls in flight,
   * if that is what refused, would have taken the next call as soon as one ended. A probe tells
   * them apart (see `capProbe`).
   */
  #isWorthACapProbe(evidence: RefusalEvidence, retryAfterMs: number | undefined): boolean {
    if (retryAfterMs === undefined || (this.#latency.isKnown && retryAfterMs <= this.#latency.meanMs)) return false;
    return evidence.level >= 2 && evidence.remainingRequests === undefined && !evidence.isLevelProven && evidence.earlierRefusalsAtLevel < refusalsToJudgeAt(evidence.level);
  }

  recordCapProbeStarted(probe: CapProbe, ticket: CallTicket): void {
    if (this.#capProbe === probe) this.#capProbeTicket = ticket;
  }

  recordCapProbeAccepted(probe: CapProbe): void {
    if (this.#capProbe !== probe) return;
    this.#capProbe = undefined;
    if (this.#lastRateRefusal?.level === probe.refusedLevel) this.#forgetLastRateRefusal();
    this.#bindingLimit = 'concurrency';
    this.#ceiling.lowerUnder(probe.refusedLevel, false);
    this.#rate.yieldToSlots(this.#latency.meanMs / this.#ceiling.value);
    this.#updateConcurrency();
  }

  /** The last rate 429 was a cap's: it bounds no sample of the quota, and what it taught the rate is undone. */
  #forgetLastRateRefusal(): void {
    if (!this.#lastRateRefusal) return;
    this.#sampler.forgetBoundaryAt(this.#lastRateRefusal.sample);
    this.#rate.forgetLastRefusal();
    this.#lastRateRefusal = undefined;
  }

  #refusalEvidence(ticket: CallTicket, error: unknown): RefusalEvidence {
    const level = ticket.inFlightAtStart;
    const remainingRequests = isProviderError(error) ? error.rateLimit?.remainingRequests : undefined;
    return {
      level,
      ...(remainingRequests === undefined ? {} : { remainingRequests }),
      isFailedConcurrencyProbe: this.#ceiling.isFailedProbeAt(level),
      earlierRefusalsAtLevel: this.#ceiling.levels.refusalsWhileUnprovenAt(level),
      isLevelProven: this.#ceiling.levels.isProvenAt(level),
      rateRefusalsSinceAcceptedAtLevel: this.#ceiling.levels.rateRefusalsSinceAcceptedAt(level),
      hasRetryHint: isProviderError(error) && error.retryAfterMs !== undefined,
      isWithinCeiling: this.#ceiling.value < this.#ceiling.max && level <= this.#ceiling.value,
      isFirstStartOnAnnouncedToken: ticket === this.#announcedToken?.firstStart?.ticket && this.#announcedToken.firstStart.hadIt,
    };
  }

  #onOverloaded(ticket: CallTicket): void {
    if (ticket.startedAtMs < this.#lastReactionAtMs) return;
    this.#react();
    this.#ceiling.cutForOverload(ticket.inFlightAtStart, this.#decreaseFactor);
  }

  /** Records a reaction and leaves slow start; true if this reaction is the one that left it. */
  #react(): boolean {
    const wasSlowStart = this.#phase === 'slow-start';
    this.#phase = 'steady';
    this.#lastReactionAtMs = this.#now();
    this.#reactions += 1;
    return wasSlowStart;
  }

  /**
   * The pace a rate 429 refused: the one its call started at, and the rate actually reached (the
   * interval, unless concurrency or demand held starts back), whichever is slower. A 429 comes back
   * a round trip after its call left, and slow start may have doubled the pace meanwhile: halving
   * the pace of the moment the answer came left a provider 300 ms away past the quota still, and
   * every call of the next round trip refused too (random shapes 300 ms away, exact hints: the
   * worst run 26 429s for 24 images, now 19; at hand the same).
   */
  #failedIntervalMs(refused: CallTicket): number {
    return Math.max(refused.intervalAtStartMs, this.#rate.intervalMs, this.#starts.intervalMs() ?? 0);
  }

  #callsPerLatency(): number {
    return this.#callsPer(this.#latency.meanMs);
  }

  /** Calls the rate starts over `durationMs`, at least one. */
  #callsPer(durationMs: number): number {
    const intervalMs = this.#rate.intervalMs;
    return intervalMs > 0 ? Math.max(1, durationMs / intervalMs) : this.#concurrency;
  }

  /** Once a latency is known: slots for the calls the rate keeps in flight, within the ceiling. */
  #updateConcurrency(): void {
    const ceiling = Math.min(this.#ceiling.value, this.#maxConcurrency);
    if (!this.#latency.isKnown) {
      this.#concurrency = Math.max(1, Math.min(this.#concurrency, ceiling));
      return;
    }
    const intervalMs = this.#rate.intervalMs;
    const needed = intervalMs > 0 ? Math.ceil(this.#latency.highMs / intervalMs) + 1 : ceiling;
    this.#concurrency = Math.max(1, Math.min(ceiling, needed));
  }
}

function assertPositiveInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
}
