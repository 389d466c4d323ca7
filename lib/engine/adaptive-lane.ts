import { createAdaptivePacer, type AdaptivePacingOptions, type AdaptivePacingSnapshot } from './adaptive-pacing';
import { createLane, type Lane, type ReleaseSlot, type SlotOutcome } from './lane';

/** A lane whose concurrency and spacing follow the adaptive controller. */
export interface AdaptiveLane extends Lane {
  /** What the controller has learned so far (for logs and benchmarks). */
  snapshot(): AdaptivePacingSnapshot;
}

/**
 * A rate-limit lane that learns its provider's quota from how calls end (see `createAdaptivePacer`):
 * the slot's release must carry the outcome (`runItem` does). Retry-After pauses work as on any lane.
 * `setConcurrency` / `setMinIntervalMs` override the controller only until its next adjustment.
 */
export function createAdaptiveLane(options: AdaptivePacingOptions = {}): AdaptiveLane {
  const pacer = createAdaptivePacer(options);
  const inner = createLane({ concurrency: pacer.concurrency, minIntervalMs: pacer.minIntervalMs });
  // Counted here, in grant order: the inner lane grants several waiters in one pass, before any resumes.
  // In process (the pacing grid) it matches the provider's own count at every call's arrival. Over
  // HTTP it can read one high: a call stays counted until its response is read, while the provider
  // let it go when it sent the response, so a start in between sees a level one above the provider's.
  let inFlight = 0;
  // A retry hint asked for just before a refused call's release (as `runAttempt` does), held back
  // until the release tells which limit refused it (see `pauseFor` below).
  let heldPauseMs: number | undefined;
  const applyHeldPause = () => {
    if (heldPauseMs !== undefined) inner.pauseFor(heldPauseMs);
    heldPauseMs = undefined;
  };

  const load = () => ({ inFlight, waiting: inner.waiting });
  const applyPacer = () => {
    if (inner.concurrency !== pacer.concurrency) inner.setConcurrency(pacer.concurrency);
    if (inner.minIntervalMs !== pacer.minIntervalMs) inner.setMinIntervalMs(pacer.minIntervalMs);
  };

  return {
    async acquire(signal) {
      const releaseInner = await inner.acquire(signal);
      inFlight += 1;
      const ticket = pacer.recordStart(inFlight);
      // A call not refused by then was accepted: slow start grows on that, not a whole latency later.
      const acceptedTimer = setTimeout(() => {
        pacer.recordAccepted(ticket, load());
        applyPacer();
      }, pacer.acceptedAfterMs);
      acceptedTimer.unref?.();
      let isReleased = false;
      const release: ReleaseSlot = (outcome?: SlotOutcome) => {
        if (isReleased) return;
        isReleased = true;
        clearTimeout(acceptedTimer);
        const refusedFor = pacer.recordEnd(ticket, outcome, load());
        // A 429 for calls in flight: the ceiling went under the level refused, so the next start
        // waits for a slot to free; pausing every start for its retry hint would only idle the
        // slots still taken. The refused call's own retry still waits for the hint (`decideRetry`).
        // At two calls in flight the judgement rests on one other call, and a bucket of one token
        // refuses a second start that comes too soon in the same way: there the pause stays.
        if (refusedFor === 'concurrency' && ticket.inFlightAtStart >= 3) heldPauseMs = undefined;
        // A rate 429's hint on a quota that may hold one token: a start comes on the token it announced.
        if (refusedFor === 'rate' && pacer.startsOnAnnouncedToken && heldPauseMs !== undefined) {
          inner.pauseUntilToken(heldPauseMs);
          heldPauseMs = undefined;
        }
        applyHeldPause();
        inFlight -= 1;
        // The new pacing first, so the slot given back is handed out under it.
        applyPacer();
        releaseInner();
      };
      return release;
    },
    pauseFor(durationMs) {
      if (!Number.isFinite(durationMs) || durationMs < 0) {
        throw new RangeError(`pauseFor needs a finite duration >= 0 in milliseconds, got ${durationMs}`);
      }
      // Held until the release that follows (in the same turn: `runAttempt` pauses, then releases);
      // a pause asked for on its own applies at the end of the turn all the same.
      const isFirst = heldPauseMs === undefined;
      heldPauseMs = Math.max(heldPauseMs ?? 0, durationMs);
      if (isFirst) queueMicrotask(applyHeldPause);
    },
    setConcurrency: (concurrency) => inner.setConcurrency(concurrency),
    setMinIntervalMs: (minIntervalMs) => inner.setMinIntervalMs(minIntervalMs),
    onConcurrencyRaised: (listener) => inner.onConcurrencyRaised(listener),
    closeFor: (error, durationMs) => inner.closeFor(error, durationMs),
    get closedBy() {
      return inner.closedBy;
    },
    snapshot: () => pacer.snapshot(),
    get inFlight() {
      return inner.inFlight;
    },
    get waiting() {
      return inner.waiting;
    },
    get concurrency() {
      return inner.concurrency;
    },
    get minIntervalMs() {
      return inner.minIntervalMs;
    },
    get burst() {
      return inner.burst;
    },
    get pauseRemainingMs() {
      return inner.pauseRemainingMs;
    },
  };
}
