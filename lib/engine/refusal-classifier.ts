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
  /** Refused at this level before, and never accepted at it or above. */
  isLevelRefuted: boolean;
  /** Calls accepted at this level or above outnumber twice those refused at it. */
  isLevelProven: boolean;
}

/**
 * Without headers one refusal cannot tell the limits apart: a token bucket that runs dry and a cap
 * on calls in flight both refuse the call that starts at a level never accepted before. The next
 * call tells: after the lane's pause (the retry hint: the next token), a rate limit accepts a call
 * at that level, a concurrency limit refuses it again. So the first refusal at a level is taken for
 * the rate, and a level refused again before any call got through at it or above is the limit on
 * calls in flight (a rate that refused twice there is told apart later: refused within the ceiling,
 * it lifts it).
 */
export function classifyRefusal(evidence: RefusalEvidence): RefusalCause {
  const { level, remainingRequests } = evidence;
  // The provider said: none left is the rate; some left means another limit refused the call.
  if (remainingRequests !== undefined) return remainingRequests > 0 && level > 1 ? 'concurrency' : 'rate';
  if (evidence.isFailedConcurrencyProbe) return 'concurrency';
  return level > 1 && evidence.isLevelRefuted && !evidence.isLevelProven ? 'concurrency' : 'rate';
}
