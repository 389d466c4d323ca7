/**
 * One quota shape of the pacing grid: what the provider enforces, how long its calls take, and
 * what happens to it during the run. All times are simulated milliseconds from the batch's start.
 */

export interface GridQuotaShape {
  /** The token bucket's refill: requests accepted per second, sustained (per-minute quotas too). */
  requestsPerSecond: number;
  /** The bucket's size: how many requests may start back to back after a quiet spell. */
  bucket: number;
  /** Calls in flight the provider accepts at once; undefined when it does not limit them. */
  maxConcurrent?: number;
}

export interface GridScenario {
  name: string;
  /** What kind of limit the shape is, for the report: `per-second`, `per-minute`, … */
  family: string;
  quota: GridQuotaShape;
  /** Log-normal latency of an accepted call. */
  latency: { medianMs: number; sigma: number };
  images: number;
  /** From this time on the quota is halved: half the rate, half the calls in flight (at least 1). */
  halvedAtMs?: number;
  /** From this time on a second client on the same key takes a third of the rate. */
  otherClientFromMs?: number;
  /** Spells in which the provider answers every call 503 "overloaded" at once, with no hint. */
  storms?: readonly { fromMs: number; untilMs: number }[];
  /**
   * What a 429 says about when to come back: the time until the next token to the millisecond
   * (`retry-after-ms`), in whole seconds rounded up (`retry-after`, as Gemini's `retryDelay: "53s"`),
   * or nothing. @default 'exact'
   */
  retryHint?: 'exact' | 'seconds' | 'none';
  /** OpenAI style: `x-ratelimit-*-requests` on every answer, 429s included. @default false */
  isSendingRateLimitHeaders?: boolean;
  /**
   * The network's round trip to the provider: a call reaches it half of this after it left, and its
   * answer comes back the other half after the provider decided (a refusal: a 429, or a 503 of a
   * storm, its retry hint counting from the decision) or finished (an image: `latency` is the
   * provider's own time, the round trip comes on top, as it does for any answer). A client that
   * counts a call still unanswered after a while as accepted can be wrong about it, and counts a
   * call in flight for half a round trip after the provider freed it. @default 0 (answers come back at once)
   */
  roundTripMs?: number;
}

/**
 * True when the quota stays as shaped for the whole run: the only scenarios on which pacing told
 * the quota can promise zero refusals (a halved quota or a second client breaks the promise).
 */
export function isQuotaAsConfigured(scenario: GridScenario): boolean {
  return scenario.halvedAtMs === undefined && scenario.otherClientFromMs === undefined;
}
