/**
 * A provider's quota as the simulator enforces it: a token bucket of requests (refilled at the
 * per-minute rate, holding at most `burstRequests`) and a cap on requests in flight. Pure apart
 * from the injectable clock; all times here are real milliseconds (the simulator scales).
 */

export interface QuotaOptions {
  /** Requests accepted per minute of real time (the bucket's refill rate). @default unlimited */
  requestsPerMinute?: number;
  /** The bucket's size: how many requests may start back to back. @default 5 seconds' worth of the rate, at least 1 */
  burstRequests?: number;
  /** Requests in flight at once. @default unlimited */
  maxConcurrent?: number;
  /** Epoch milliseconds. @default Date.now */
  now?: () => number;
}

export type Admission =
  | { isAccepted: true; release: () => void }
  | {
      isAccepted: false;
      reason: 'rate' | 'concurrency';
      /** For `rate`: when the next request would be accepted, in milliseconds from now. */
      retryAfterMs: number;
    };

export interface QuotaState {
  /** The bucket's refill rate per real minute (Infinity when unlimited). */
  limitRequestsPerMinute: number;
  /** Whole requests the bucket holds now. */
  remainingRequests: number;
  /** Time until the bucket is full again, in milliseconds. */
  resetRequestsMs: number;
  inFlight: number;
}

export interface SimulatedQuota {
  /** Takes a token and a concurrency slot, or says why not. Release the slot when the call ends. */
  admit(): Admission;
  state(): QuotaState;
}

export function createSimulatedQuota(options: QuotaOptions = {}): SimulatedQuota {
  const now = options.now ?? Date.now;
  const ratePerMs = options.requestsPerMinute === undefined ? Infinity : options.requestsPerMinute / 60_000;
  const capacity = options.burstRequests ?? (Number.isFinite(ratePerMs) ? Math.max(1, Math.round(ratePerMs * 5_000)) : Infinity);
  const maxConcurrent = options.maxConcurrent ?? Infinity;
  let tokens = capacity;
  let refilledAtMs = now();
  let inFlight = 0;

  const refill = () => {
    const nowMs = now();
    if (Number.isFinite(ratePerMs)) tokens = Math.min(capacity, tokens + (nowMs - refilledAtMs) * ratePerMs);
    refilledAtMs = nowMs;
  };

  return {
    admit() {
      refill();
      if (inFlight >= maxConcurrent) return { isAccepted: false, reason: 'concurrency', retryAfterMs: 0 };
      if (tokens < 1) return { isAccepted: false, reason: 'rate', retryAfterMs: Math.ceil((1 - tokens) / ratePerMs) };
      tokens -= 1;
      inFlight += 1;
      let isReleased = false;
      return {
        isAccepted: true,
        release: () => {
          if (isReleased) return;
          isReleased = true;
          inFlight -= 1;
        },
      };
    },
    state() {
      refill();
      return {
        limitRequestsPerMinute: ratePerMs * 60_000,
        remainingRequests: Number.isFinite(tokens) ? Math.floor(tokens) : Number.MAX_SAFE_INTEGER,
        resetRequestsMs: Number.isFinite(ratePerMs) ? Math.ceil((capacity - tokens) / ratePerMs) : 0,
        inFlight,
      };
    },
  };
}
