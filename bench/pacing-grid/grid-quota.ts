import type { GridScenario } from './grid-scenario';

/**
 * The quota of a grid scenario as a provider enforces it: a token bucket whose refill rate may
 * change during the run (the quota halved; a second client's share, for the clairvoyant bound),
 * a cap on calls in flight, and 503 storms. Pure: every method takes the time.
 *
 * Not `createSimulatedQuota` (lib/providers/testing): that one has one fixed rate and reads the
 * clock itself; the grid needs a rate that changes at known times and a bucket that can say when
 * its next token comes, which is what the clairvoyant bound plans with.
 */

/** Token counts this close under 1 count as 1: float sums of refills must not refuse an exact pacing. */
const tokenEpsilon = 1e-9;

export class PiecewiseTokenBucket {
  readonly #capacity: number;
  readonly #ratePerMsAt: (timeMs: number) => number;
  /** Times at which the rate changes, ascending. */
  readonly #changesMs: readonly number[];
  #tokens: number;
  #refilledAtMs: number;

  constructor(capacity: number, ratePerMsAt: (timeMs: number) => number, changesMs: readonly number[], startMs = 0) {
    this.#capacity = capacity;
    this.#ratePerMsAt = ratePerMsAt;
    this.#changesMs = [...changesMs].sort((left, right) => left - right);
    this.#tokens = capacity;
    this.#refilledAtMs = startMs;
  }

  tokensAt(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens;
  }

  hasTokenAt(nowMs: number): boolean {
    return this.tokensAt(nowMs) >= 1 - tokenEpsilon;
  }

  take(nowMs: number): void {
    this.#refill(nowMs);
    this.#tokens = Math.max(0, this.#tokens - 1);
  }

  /** The earliest time from `fromMs` at which a token is there, if nobody takes one meanwhile. */
  nextTokenAtMs(fromMs: number): number {
    let needed = 1 - this.tokensAt(fromMs);
    if (needed <= tokenEpsilon) return fromMs;
    let segmentStartMs = fromMs;
    for (const changeMs of [...this.#changesMs.filter((change) => change > fromMs), Infinity]) {
      const ratePerMs = this.#ratePerMsAt(segmentStartMs);
      const segmentMs = changeMs - segmentStartMs;
      if (ratePerMs * segmentMs >= needed) return segmentStartMs + needed / ratePerMs;
      needed -= ratePerMs * segmentMs;
      segmentStartMs = changeMs;
    }
    return Infinity;
  }

  /** Time until the bucket is full again at the current rate (OpenAI's `x-ratelimit-reset-requests`). */
  resetMsAt(nowMs: number): number {
    return (this.#capacity - this.tokensAt(nowMs)) / this.#ratePerMsAt(nowMs);
  }

  #refill(nowMs: number): void {
    if (nowMs <= this.#refilledAtMs) return;
    let fromMs = this.#refilledAtMs;
    for (const changeMs of [...this.#changesMs.filter((change) => change > fromMs && change < nowMs), nowMs]) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + (changeMs - fromMs) * this.#ratePerMsAt(fromMs));
      fromMs = changeMs;
    }
    this.#refilledAtMs = nowMs;
  }
}

/** The quota's own refill rate per millisecond at a time (the quota halved or not), all clients together. */
export function quotaRatePerMsAt(scenario: GridScenario, timeMs: number): number {
  const ratePerMs = scenario.quota.requestsPerSecond / 1_000;
  return scenario.halvedAtMs !== undefined && timeMs >= scenario.halvedAtMs ? ratePerMs / 2 : ratePerMs;
}

/** Calls in flight the provider accepts at a time; Infinity when it does not limit them. */
export function concurrencyCapAt(scenario: GridScenario, timeMs: number): number {
  const cap = scenario.quota.maxConcurrent ?? Infinity;
  return scenario.halvedAtMs !== undefined && timeMs >= scenario.halvedAtMs ? Math.max(1, Math.floor(cap / 2)) : cap;
}

export function stormAt(scenario: GridScenario, timeMs: number): { fromMs: number; untilMs: number } | undefined {
  return scenario.storms?.find((storm) => timeMs >= storm.fromMs && timeMs < storm.untilMs);
}

export type GridAdmission =
  | { isAccepted: true; release: () => void }
  | { isAccepted: false; reason: 'overloaded' | 'concurrency' }
  | { isAccepted: false; reason: 'rate'; nextTokenInMs: number };

/** What the provider enforces: storms first (503 before any quota), then calls in flight, then the bucket. */
export class GridQuota {
  readonly #scenario: GridScenario;
  readonly bucket: PiecewiseTokenBucket;
  #inFlight = 0;

  constructor(scenario: GridScenario) {
    this.#scenario = scenario;
    const changesMs = scenario.halvedAtMs === undefined ? [] : [scenario.halvedAtMs];
    this.bucket = new PiecewiseTokenBucket(scenario.quota.bucket, (timeMs) => quotaRatePerMsAt(scenario, timeMs), changesMs);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  admit(nowMs: number): GridAdmission {
    if (stormAt(this.#scenario, nowMs)) return { isAccepted: false, reason: 'overloaded' };
    if (this.#inFlight >= concurrencyCapAt(this.#scenario, nowMs)) return { isAccepted: false, reason: 'concurrency' };
    if (!this.bucket.hasTokenAt(nowMs)) return { isAccepted: false, reason: 'rate', nextTokenInMs: this.bucket.nextTokenAtMs(nowMs) - nowMs };
    this.bucket.take(nowMs);
    this.#inFlight += 1;
    let isReleased = false;
    return {
      isAccepted: true,
      release: () => {
        if (isReleased) return;
        isReleased = true;
        this.#inFlight -= 1;
      },
    };
  }

}

/**
 * A second client on the same key that wants a third of the quota's rate from `otherClientFromMs`
 * on: one request every three refills, each retried when the next token is due if refused (it
 * honours the hint), so that it takes its share, as another process on the key would.
 */
export class SecondClient {
  readonly #scenario: GridScenario;
  #backlog = 0;
  #nextDemandMs: number;
  #nextTryMs = Infinity;

  constructor(scenario: GridScenario) {
    this.#scenario = scenario;
    this.#nextDemandMs = scenario.otherClientFromMs ?? Infinity;
  }

  /** When it next does something: a new request, or a retry. */
  get nextEventMs(): number {
    return Math.min(this.#nextDemandMs, this.#backlog > 0 ? this.#nextTryMs : Infinity);
  }

  /** Runs what is due at `nowMs` against the bucket. */
  act(nowMs: number, bucket: PiecewiseTokenBucket): void {
    while (nowMs >= this.#nextDemandMs) {
      this.#backlog += 1;
      this.#nextDemandMs += 3 / quotaRatePerMsAt(this.#scenario, this.#nextDemandMs);
    }
    if (this.#backlog > 0 && bucket.hasTokenAt(nowMs)) {
      bucket.take(nowMs);
      this.#backlog -= 1;
    }
    this.#nextTryMs = this.#backlog > 0 ? Math.max(nowMs + 1, bucket.nextTokenAtMs(nowMs)) : Infinity;
  }
}
