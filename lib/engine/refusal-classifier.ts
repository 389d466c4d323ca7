/**
 * Which limit refused a call: the request rate or the calls in flight. A 429 seldom says (only
 * OpenAI's `x-ratelimit-remaining-requests` does), so the adaptive controller judges from what it
 * saw. Pure: the evidence is gathered by the controller (see `refusalEvidence` there).
 */

export type RefusalCause = 'rate' | 'concurrency';

export interface RefusalEvidence {
  /** Calls in flight when the refused call started, itself included. */
  level: number;
  /** Requests left when it was refused, when the provider said (`x-ratelimit-remaining-requests`). */
  remainingRequests?: number;
  /** The call tried a concurrency ceiling just raised (a probe) and was refused at or above it. */
  isFailedConcurrencyProbe: boolean;
  /** Earlier refusals at this level, none accepted at it or above ever; 0 once a call got through there. */
  earlierRefusalsAtLevel: number;
  /** Calls accepted at this level or above outnumber twice those refused at it. */
  isLevelProven: boolean;
  /** Rate 429s (past slow start) at this level or above since a call was last accepted at it or above. */
  rateRefusalsSinceAcceptedAtLevel: number;
  /** This 429 said when to come back: a rate limit's next token, which the lane waits for. */
  hasRetryHint: boolean;
  /**
   * The ceiling on calls in flight is below the operator's maximum (a cap was judged, or 503s cut
   * it) and the call started within it: no more calls were in flight than that cap allows.
   */
  isWithinCeiling?: boolean;
  /**
   * The refused call was the first to start once the token the last rate 429 announced had come
   * (by its retry hint): a rate limit had that token for it.
   */
  isFirstStartOnAnnouncedToken?: boolean;
}

/**
 * Without headers one refusal cannot tell the limits apart: a token bucket that runs dry and a cap
 * on calls in flight both refuse the call that starts at a level never accepted before. The next
 * call tells: after the lane's pause (the retry hint: the next token), a rate limit accepts a call
 * at that level, a concurrency limit refuses it again. So the first refusal at a level is taken for
 * the rate, and a level refused again before any call got through at it or above is the limit on
 * calls in flight (a rate that refused twice there is told apart later: refused within the ceiling,
 * it lifts it). At two calls in flight it takes a third: a bucket of one token refuses a second start
 * that comes sooner than its refill just like a cap of one call, and slow start's pace (doubled per
 * acceptance, halved per refusal) often brings two such starts before a slower one; judged a cap of
 * one, the lane would go sequential for good on a quota that allows overlapping calls.
 *
 * The token a rate 429's hint announced is a test of its own: the first call started once it came
 * had it, so a 429 of that call is not the rate's (unless the provider says none were left: another
 * client took it), at any level but one. It needs no second refusal at a level, so a level counted
 * one too high once (over HTTP, see `createAdaptiveLane`) does not make a cap pass for the rate for good.
 *
 * A level proven by calls accepted at it stays the rate's, unless the cap came down: after a rate
 * 429 at it or above, the lane waits out the retry hint (the next token), so a rate limit accepts a
 * call there again; refused again before any is, it is the calls in flight.
 */
export function classifyRefusal(evidence: RefusalEvidence): RefusalCause {
  const { level, remainingRequests } = evidence;
  // The provider said: none left is the rate; some left means another limit refused the call.
  if (remainingRequests !== undefined) return remainingRequests > 0 && level > 1 ? 'concurrency' : 'rate';
  if (evidence.isFailedConcurrencyProbe) return 'concurrency';
  if (level <= 1) return 'rate';
  // Refused within a cap already judged, with no hint: that cap would have let it through. Without a
  // hint nothing pauses the lane while 429s are taken for a cap, and slow start's last pace goes on:
  // a bucket of 8 at 0.2/s, 300 ms away, passed for a cap coming down (10, 8, 7, 6) for 20 refusals.
  // With a hint the lane waits for the token, and a refusal there says the cap came down (below).
  if (!evidence.hasRetryHint && evidence.isWithinCeiling) return 'rate';
  // The token the last rate 429 announced was there for this call: another limit refused it (or
  // that 429 was a cap's too, its hint no token's).
  if (evidence.isFirstStartOnAnnouncedToken) return 'concurrency';
  const refusalsToJudge = refusalsToJudgeAt(level);
  if (!evidence.isLevelProven) return evidence.earlierRefusalsAtLevel >= refusalsToJudge ? 'concurrency' : 'rate';
  // A level proven long ago, refused again after a rate 429 at it or above whose hint the lane
  // waited out, with no call accepted there since: the cap on calls in flight came down (a quota
  // halved). Without hints the lane cannot wait for the token, and the rate refuses the same way.
  return evidence.hasRetryHint && evidence.rateRefusalsSinceAcceptedAtLevel >= refusalsToJudge ? 'concurrency' : 'rate';
}

/**
 * Refusals at a level that judge it a cap on calls in flight: two at two in flight (a bucket of one
 * refuses a second start that came too soon as a cap of one would), one higher up.
 */
export function refusalsToJudgeAt(level: number): number {
  return level === 2 ? 2 : 1;
}
