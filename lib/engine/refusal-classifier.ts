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
  /** Starts were being held back by the interval when it was refused, not by the slots. */
  isPacedByInterval: boolean;
  /** Refused at this level before, and never accepted at it or above. */
  isLevelRefuted: boolean;
  /** Calls accepted at this level or above outnumber twice those refused at it. */
  isLevelProven: boolean;
}

/**
 * At or below this many calls in flight a 429 without headers is taken for the rate: at such levels
 * a rate quota's refusals look just like a concurrency limit's, and a wrong ceiling there starves the lane.
 */
export const minConcurrencySuspectLevel = 3;

export function classifyRefusal(evidence: RefusalEvidence): RefusalCause {
  const { level, remainingRequests } = evidence;
  // The provider said: none left is the rate; some left means another limit refused the call.
  if (remainingRequests !== undefined) return remainingRequests > 0 && level > 1 ? 'concurrency' : 'rate';
  if (evidence.isFailedConcurrencyProbe) return 'concurrency';
  if (level <= minConcurrencySuspectLevel || evidence.isLevelProven) return 'rate';
  // Starts held back by the interval point at the rate, unless this level never got through.
  return evidence.isPacedByInterval && !evidence.isLevelRefuted ? 'rate' : 'concurrency';
}
