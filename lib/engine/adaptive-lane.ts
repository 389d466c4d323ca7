import { createAdaptivePacer, type AdaptivePacingOptions, type AdaptivePacingSnapshot, type CallTicket, type CapProbe } from './adaptive-pacing';
import { createLane, type Lane, type ReleaseSlot, type SlotOutcome } from './lane';

/** A lane whose concurrency and spacing follow the adaptive controller. */
export interface AdaptiveLane extends Lane {
  /** What the controller has learned so far (for logs and benchmarks). */
  snapshot(): AdaptivePacingSnapshot;
}

/**
 * A rate-limit lane that learns its provider's quota from how calls end (see `createAdaptivePacer`):
 * the slot's release must carry the outcome (`runItem` does). Retry-After pauses work as on any
 * lane, with two exceptions the controller asks for: a pause that ends on the token a rate 429
 * announced starts a call then (`startsOnAnnouncedToken`), and a 429 that may be a cap's is
 * probed instead of paused for (`capProbe`). `setConcurrency` / `setMinIntervalMs` override the
 * controller only until its next adjustment.
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

  // A cap probe under way (see `CapProbe`): instead of pausing every start for a 429's hint that
  // could be the rate's or the cap's, the lane lets one call start at a level accepted before (as
  // soon as a call ends), then none until that one is judged or the announced token comes.
  let probing: { probe: CapProbe; untilMs: number; timer: ReturnType<typeof setTimeout>; ticket?: CallTicket } | undefined;
  const endProbe = () => {
    if (probing) clearTimeout(probing.timer);
    probing = undefined;
  };

  const load = () => ({ inFlight, waiting: inner.waiting });
  const concurrencyNow = () => {
    if (!probing) return pacer.concurrency;
    if (probing.ticket) return 1;
    return Math.max(1, Math.min(pacer.concurrency, probing.probe.refusedLevel - 1));
  };
  const applyPacer = () => {
    const concurrency = concurrencyNow();
    if (inner.concurrency !== concurrency) inner.setConcurrency(concurrency);
    if (inner.minIntervalMs !== pacer.minIntervalMs) inner.setMinIntervalMs(pacer.minIntervalMs);
  };
  /** The probe's call was accepted: the 429 it tested was the cap's, and the lane goes on under the new ceiling. */
  const judgeProbeAccepted = (ticket: CallTicket) => {
    if (probing?.ticket !== ticket) return;
    pacer.recordCapProbeAccepted(probing.probe);
    endProbe();
  };
  const startProbe = (probe: CapProbe, pauseMs: number, startsOnToken: boolean) => {
    endProbe();
    // A rate limit has no token before the one its hint announced, so a probe accepted before it
    // proves a cap; a hint that may be a second off (whole seconds, rounded) lets the token come a
    // second sooner: the probe's window closes then, and the lane waits out the rest of the hint.
    const windowMs = Math.max(0, pauseMs - (probe.hintSlackMs ?? 0));
    const timer = setTimeout(() => {
      endProbe();
      // No probe got a slot in time: the token comes now, or by the hint, and a start may come on it (see `pauseUntilToken`).
      const restMs = pauseMs - windowMs;
      if (startsOnToken) inner.pauseUntilToken(restMs);
      else if (restMs > 0) inner.pauseFor(restMs);
      applyPacer();
    }, windowMs);
    timer.unref?.();
    probing = { probe, untilMs: Date.now() + pauseMs, timer };
  };

  return {
    async acquire(signal) {
      const releaseInner = await inner.acquire(signal);
      inFlight += 1;
      const ticket = pacer.recordStart(inFlight);
      if (probing && !probing.ticket) {
        probing.ticket = ticket;
        pacer.recordCapProbeStarted(probing.probe, ticket);
        applyPacer();
      }
      // A call not refused by then was accepted: slow start grows on that, not a whole latency later.
      const acceptedTimer = setTimeout(() => {
        pacer.recordAccepted(ticket, load());
        judgeProbeAccepted(ticket);
        applyPacer();
      }, pacer.acceptedAfterMs);
      acceptedTimer.unref?.();
      let isReleased = false;
      const release: ReleaseSlot = (outcome?: SlotOutcome) => {
        if (isReleased) return;
        isReleased = true;
        clearTimeout(acceptedTimer);
        const refusal = pacer.recordEnd(ticket, outcome, load());
        const isProbe = probing?.ticket === ticket;
        if (probing && isProbe) {
          if (outcome?.status === 'succeeded') judgeProbeAccepted(ticket);
          else {
            // Refused (its own hint pauses the lane below), failed otherwise or aborted: the token is still to come.
            const remainingMs = probing.untilMs - Date.now();
            endProbe();
            if (refusal === undefined && remainingMs > 0) inner.pauseFor(remainingMs);
          }
        }
        // A 429 for calls in flight: the ceiling went under the level refused, so the next start
        // waits for a slot to free; pausing every start for its retry hint would only idle the
        // slots still taken. The refused call's own retry still waits for the hint (`decideRetry`).
        // At two in flight too (judged there on the third refusal): a bucket of one misjudged as a
        // cap of one refuses the next start at one, a rate 429 that lifts the ceiling and pauses.
        if (refusal?.cause === 'concurrency' && ticket.inFlightAtStart >= 2) heldPauseMs = undefined;
        // A rate 429 that may have been the cap's, with a hint longer than a call: probe instead of pausing
        // (rather than start on the token: the probe's call comes sooner, and the token start follows if none did).
        // Not off the probe's own 429: that one was the rate's (the lane then waits for the token).
        if (refusal?.cause === 'rate' && refusal.capProbe && !isProbe && heldPauseMs !== undefined) {
          startProbe(refusal.capProbe, heldPauseMs, refusal.startsOnAnnouncedToken);
          heldPauseMs = undefined;
        }
        // A rate 429's hint on a quota that may hold one token: a start comes on the token it announced.
        if (refusal?.cause === 'rate' && refusal.startsOnAnnouncedToken && heldPauseMs !== undefined) {
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
