import { describe, expect, it } from 'vitest';
import { ProviderError } from '@/lib/core';
import { createAdaptivePacer, type AdaptivePacingOptions, type CallTicket } from './adaptive-pacing';
import type { SlotOutcome } from './lane';

/** The controller is pure apart from its clock: these tests drive it by hand on a fake one. */
function setup(options: AdaptivePacingOptions = {}) {
  const clock = { nowMs: 0 };
  const pacer = createAdaptivePacer({ now: () => clock.nowMs, ...options });
  let inFlight = 0;
  const start = () => {
    inFlight += 1;
    return pacer.recordStart(inFlight);
  };
  const end = (ticket: CallTicket, outcome: SlotOutcome | undefined, waiting = 10) => {
    const verdict = pacer.recordEnd(ticket, outcome, { inFlight, waiting });
    inFlight -= 1;
    return verdict;
  };
  const accept = (ticket: CallTicket, waiting = 10) => pacer.recordAccepted(ticket, { inFlight, waiting });
  const advance = (ms: number) => {
    clock.nowMs += ms;
  };
  return { pacer, clock, start, end, accept, advance };
}

const succeeded: SlotOutcome = { status: 'succeeded' };
const rateLimited = (): SlotOutcome => ({ status: 'failed', error: new ProviderError('rate_limited', '429', { status: 429 }) });
const overloaded = (): SlotOutcome => ({ status: 'failed', error: new ProviderError('overloaded', '503', { status: 503 }) });
const hinted = (retryAfterMs: number): SlotOutcome => ({ status: 'failed', error: new ProviderError('rate_limited', '429', { status: 429, retryAfterMs }) });

/** Runs `count` calls one after another, each accepted and then succeeding after `latencyMs`. */
function runSequentially(harness: ReturnType<typeof setup>, count: number, latencyMs: number) {
  for (let call = 0; call < count; call += 1) {
    const ticket = harness.start();
    harness.advance(latencyMs);
    harness.end(ticket, succeeded);
  }
}

describe('createAdaptivePacer', () => {
  it('starts gently: one call at a time, the seed spacing', () => {
    const { pacer } = setup();
    expect(pacer.concurrency).toBe(1);
    expect(pacer.minIntervalMs).toBe(500);
    expect(pacer.acceptedAfterMs).toBe(250);
    expect(pacer.snapshot()).toMatchObject({ phase: 'slow-start', concurrencyCeiling: 16, reactions: 0 });
  });

  it('starts on the token a rate 429 announced only past slow start, and only while the bucket may hold a single token', () => {
    const harness = setup();
    const { pacer, start, end, advance } = harness;
    runSequentially(harness, 2, 1_000);
    // The 429 that ends slow start: its pace was far off, the token it announces is no place to start.
    expect(end(start(), hinted(0))?.startsOnAnnouncedToken).toBe(false);
    advance(500);
    const accepted = start();
    advance(1_000);
    end(accepted, succeeded);
    // Every accepted start a second or more apart, and the token a second after the last: one at a time fits.
    expect(end(start(), hinted(0))?.startsOnAnnouncedToken).toBe(true);
    // Two calls accepted 100 ms apart took a token each: the bucket holds two, waiting for the interval loses nothing.
    const first = start();
    advance(100);
    const second = start();
    advance(1_000);
    end(first, succeeded);
    end(second, succeeded);
    advance(300);
    expect(end(start(), hinted(700))?.startsOnAnnouncedToken).toBe(false);
  });

  it('does not start on the token an echo announced: a call sent before the last reaction brings a stale hint', () => {
    const harness = setup();
    const { start, end, advance } = harness;
    runSequentially(harness, 2, 1_000);
    end(start(), hinted(0));
    advance(500);
    const accepted = start();
    advance(1_000);
    end(accepted, succeeded);
    // Sent before the 429 below was reacted to: on a far provider its token was decided a half round
    // trip before its answer came, and the calls sent since may have taken it.
    const sentBefore = start();
    advance(10);
    expect(end(start(), hinted(0))?.startsOnAnnouncedToken).toBe(true);
    advance(5);
    expect(end(sentBefore, hinted(0))).toEqual({ cause: 'rate', startsOnAnnouncedToken: false });
  });

  it('takes a hintless 429 within a cap it already judged for the rate: that cap would have let the call through', () => {
    const harness = setup();
    const { pacer, start, end, accept, advance } = harness;
    runSequentially(harness, 2, 100);
    end(start(), rateLimited());
    advance(1_000);
    for (const ticket of [start(), start(), start()]) accept(ticket);
    expect(end(start(), rateLimited())?.cause).toBe('rate');
    const fourth = start();
    advance(1_000);
    expect(end(start(), rateLimited())?.cause).toBe('rate');
    advance(1_000);
    // Refused again at five, never accepted there: a cap of four.
    expect(end(start(), rateLimited())?.cause).toBe('concurrency');
    expect(pacer.snapshot().concurrencyCeiling).toBe(4);
    end(fourth, undefined);
    advance(1_000);
    // Four in flight, refused a second time there, none ever accepted: a cap of three, were it not
    // within the cap of four just judged.
    expect(end(start(), rateLimited())?.cause).toBe('rate');
  });

  it('asks for a cap probe on a first 429 at a new level of three or more, when its hint outlasts a call', () => {
    const refusedAtFour = (retryAfterMs: number) => {
      const harness = setup();
      runSequentially(harness, 1, 100);
      const inFlight = [harness.start(), harness.start(), harness.start()];
      for (const ticket of inFlight) harness.accept(ticket);
      const verdict = harness.end(harness.start(), { status: 'failed', error: new ProviderError('rate_limited', '429', { status: 429, retryAfterMs }) });
      return { pacer: harness.pacer, verdict };
    };
    const { pacer, verdict } = refusedAtFour(5_000);
    expect(verdict?.cause).toBe('rate');
    const probe = verdict!.capProbe!;
    expect(probe).toEqual({ refusedLevel: 4 });
    // Taken for the rate until the probe says otherwise.
    expect(pacer.snapshot().concurrencyCeiling).toBe(16);
    expect(pacer.minIntervalMs).toBe(500);
    pacer.recordCapProbeAccepted(probe);
    expect(pacer.snapshot().concurrencyCeiling).toBe(3);
    // What the 429 taught the rate is undone (it was the 250 ms pace's fault): the slots pace the starts.
    expect(pacer.minIntervalMs).toBeLessThan(250);
    // Accepted once: a second word of it changes nothing.
    pacer.recordCapProbeAccepted(probe);
    expect(pacer.snapshot().concurrencyCeiling).toBe(3);
    // A hint shorter than a call (100 ms): pausing idles the slots less than a probe's 429 would cost.
    expect(refusedAtFour(50).verdict).toEqual({ cause: 'rate', startsOnAnnouncedToken: false });
  });

  it('a call counted as accepted (still unanswered after the acceptance time) and then refused proves nothing of its level: a far provider’s 429 takes longer', () => {
    const { start, end, accept, advance } = setup();
    const first = start();
    advance(100);
    end(first, succeeded);
    const [one, two] = [start(), start()];
    accept(one);
    accept(two);
    const third = start();
    advance(250);
    accept(third); // unanswered after 250 ms: counted as accepted at three in flight
    advance(50);
    expect(end(third, hinted(1_000))?.cause).toBe('rate');
    // Refused again at three, and no call was ever let through there: a cap of two.
    expect(end(start(), hinted(1_000))?.cause).toBe('concurrency');
  });

  it('asks for a cap probe at two in flight too, before any latency is known, until two refusals there judge it', () => {
    const { pacer, start, end, accept, advance } = setup();
    const first = start();
    advance(250);
    accept(first); // still in flight: no latency known yet
    // A cap of one and a bucket of one refuse the second start alike: the first 429 is probed, not paused for.
    expect(end(start(), hinted(1_000))?.capProbe).toEqual({ refusedLevel: 2 });
    // Refused again before the token the hint announced: the rate's for all it shows.
    advance(500);
    expect(end(start(), hinted(1_000))?.capProbe).toEqual({ refusedLevel: 2 });
    advance(500);
    // The third refusal at two judges it: a cap of one, no probe left to make.
    expect(end(start(), hinted(1_000))).toEqual({ cause: 'concurrency', startsOnAnnouncedToken: false });
    expect(pacer.snapshot().concurrencyCeiling).toBe(1);
    end(first, succeeded);
  });

  it('takes the cap probe refused in turn for the rate without slowing down again: it came before the token on purpose', () => {
    const refusedProbe = (isProbe: boolean) => {
      const harness = setup();
      runSequentially(harness, 1, 100);
      const inFlight = [harness.start(), harness.start(), harness.start()];
      for (const ticket of inFlight) harness.accept(ticket);
      const probe = harness.end(harness.start(), { status: 'failed', error: new ProviderError('rate_limited', '429', { status: 429, retryAfterMs: 5_000 }) })!.capProbe!;
      const { pacer } = harness;
      harness.advance(100);
      harness.end(inFlight[0]!, succeeded);
      const intervalMs = pacer.minIntervalMs;
      const ticket = harness.start();
      if (isProbe) pacer.recordCapProbeStarted(probe, ticket);
      const verdict = harness.end(ticket, { status: 'failed', error: new ProviderError('rate_limited', '429', { status: 429, retryAfterMs: 4_900 }) });
      return { reactions: pacer.snapshot().reactions, slowedDown: pacer.minIntervalMs > intervalMs, capProbe: verdict?.capProbe };
    };
    expect(refusedProbe(true)).toEqual({ reactions: 1, slowedDown: false, capProbe: undefined });
    // Any other call started after the reaction and refused is a congestion event of its own.
    expect(refusedProbe(false)).toMatchObject({ reactions: 2, slowedDown: true });
  });

  it.each([
    ['at a level never accepted: refused again there before any call got through, it was the cap', false],
    ['at a level proven before: refused again there after its hint was waited out, the cap came down', true],
  ])('forgets what a 429 taught of the rate once a second one shows it was the cap\'s, %s', (_, isProvenBefore) => {
    const harness = setup();
    const { pacer, start, end, accept, advance } = harness;
    runSequentially(harness, 1, 100);
    // Four in flight accepted, three times over: the level is proven.
    for (let round = 0; isProvenBefore && round < 3; round += 1) {
      const four = [start(), start(), start(), start()];
      for (const ticket of four) accept(ticket);
      advance(100);
      for (const ticket of four) end(ticket, succeeded);
    }
    end(start(), hinted(100)); // ends slow start
    advance(1_000);
    end(start(), hinted(100)); // the first sample's start: the token at +100
    advance(100);
    const inFlight = [start(), start(), start()];
    for (const ticket of inFlight) accept(ticket);
    advance(900);
    // At four in flight, taken for the rate, and it closes a sample (3 calls, token to token).
    end(start(), hinted(1_000));
    expect(pacer.snapshot().measuredRequestsPerMinute).toBeDefined();
    advance(100);
    // Refused again at four, no call accepted there since: the cap's, and so was the first.
    end(start(), hinted(1_000));
    expect(pacer.snapshot().concurrencyCeiling).toBe(3);
    expect(pacer.snapshot().measuredRequestsPerMinute).toBeUndefined();
  });

  /**
   * A 429 at four in flight (a level never accepted: taken for the rate) with `refusal`'s hint, four
   * in flight again at once, and `waitMs` later the next call, at five (never refused), refused too:
   * the ceiling that leaves.
   */
  const ceilingAfterNextStartRefused = (refusal: SlotOutcome, waitMs: number) => {
    const harness = setup();
    const { pacer, start, end, accept, advance } = harness;
    runSequentially(harness, 1, 100);
    end(start(), hinted(100)); // ends slow start
    advance(1_000);
    const inFlight = [start(), start(), start()];
    for (const ticket of inFlight) accept(ticket);
    end(start(), refusal);
    accept(start());
    advance(waitMs);
    end(start(), hinted(1_000));
    return pacer.snapshot().concurrencyCeiling;
  };

  it('takes a 429 of the first call started on the token a rate 429 announced for the cap\'s, even at a level never refused', () => {
    // On the token (1 s on): the rate had one for it, so a cap refused it.
    expect(ceilingAfterNextStartRefused(hinted(1_000), 1_000)).toBe(4);
    // Before the token: the rate's for all it shows.
    expect(ceilingAfterNextStartRefused(hinted(1_000), 500)).toBe(16);
  });

  it('with a hint in whole seconds (a second off either way), takes the first start for one on the token only once the token surely came', () => {
    // "2 s": the token comes between 1 and 3 s on.
    const twoSeconds: SlotOutcome = { status: 'failed', error: new ProviderError('rate_limited', '429', { status: 429, retryAfterMs: 2_000, retryAfterSlackMs: 1_000 }) };
    // At the hint: the token may still be a second away, the rate's for all it shows.
    expect(ceilingAfterNextStartRefused(twoSeconds, 2_000)).toBe(16);
    // A second past it, and nothing started since it may have come: a cap refused it.
    expect(ceilingAfterNextStartRefused(twoSeconds, 3_000)).toBe(4);
  });

  it('lets no 429 of a call started before the last reaction bound a sample: an echo of the congestion reacted to', () => {
    const harness = setup();
    const { pacer, start, end, accept, advance } = harness;
    runSequentially(harness, 1, 100);
    const accepted = [start(), start(), start()];
    for (const ticket of accepted) accept(ticket);
    const echo = start();
    advance(5);
    end(start(), hinted(20)); // ends slow start: the reaction
    advance(2);
    // Refused too, but started before that reaction (slow start's burst): an echo, its hint no later token's.
    end(echo, hinted(20));
    advance(100);
    accept(start());
    advance(100);
    end(accepted[0]!, succeeded);
    // Had the echo bounded a sample, this 429 (at four, the rate's) would close one: a call from token to token, "exact".
    end(start(), hinted(20));
    expect(pacer.snapshot().measuredRequestsPerMinute).toBeUndefined();
  });

  it('takes no echo of a congestion already reacted to for a sign that the cap came down', () => {
    const harness = setup();
    const { pacer, start, end, accept, advance } = harness;
    runSequentially(harness, 1, 100);
    // Two in flight accepted, three times over: the level is proven.
    for (let round = 0; round < 3; round += 1) {
      const two = [start(), start()];
      for (const ticket of two) accept(ticket);
      advance(100);
      for (const ticket of two) end(ticket, succeeded);
    }
    end(start(), hinted(100)); // ends slow start
    advance(1_000);
    const first = start();
    accept(first);
    const refused = start();
    const echo = start();
    advance(1);
    end(refused, hinted(100)); // at two, a level proven: the rate's, and a reaction
    advance(4);
    end(echo, hinted(95)); // at three, started before that reaction: an echo
    advance(45);
    // At two again, before the token: one rate 429 at two or above since a call got through there, not two.
    end(start(), hinted(50));
    expect(pacer.snapshot().concurrencyCeiling).toBe(16);
    end(first, succeeded);
  });

  it('adds a slot per accepted call while no latency is known (doubling per acceptance time)', () => {
    const { pacer, start, accept, advance } = setup();
    const first = start();
    advance(1_000);
    accept(first);
    expect(pacer.concurrency).toBe(2);
    const second = start();
    const third = start();
    advance(1_000);
    accept(second);
    accept(third);
    expect(pacer.concurrency).toBe(4);
    accept(third); // idempotent
    expect(pacer.concurrency).toBe(4);
  });

  it('never grows past maxConcurrency', () => {
    const { pacer, start, accept } = setup({ maxConcurrency: 2 });
    for (let call = 0; call < 5; call += 1) accept(start());
    expect(pacer.concurrency).toBe(2);
  });

  it('once a latency is known, sizes the concurrency from rate x latency and raises the rate on acceptance', () => {
    const harness = setup();
    const { pacer, start, accept, end, advance } = harness;
    const first = start();
    advance(8_000);
    end(first, succeeded);
    // 500 ms apart, 8 s calls: 16 calls in flight needed, capped at the ceiling.
    expect(pacer.concurrency).toBe(16);
    const before = pacer.minIntervalMs;
    const second = start();
    advance(1_000);
    accept(second, 5);
    expect(pacer.minIntervalMs).toBeLessThan(before);
  });

  it('in slow start, once a latency is known, doubles the rate per acceptance time, not per round trip', () => {
    const { pacer, start, accept, end, advance } = setup({ acceptedAfterMs: 250 });
    const first = start();
    advance(8_000);
    end(first, succeeded);
    // Starts 250 ms apart, each known accepted 250 ms after it starts: one start per acceptance
    // time, so an acceptance doubles the rate. Per round trip of 8 s calls, it would add 1/32.
    const before = pacer.minIntervalMs;
    expect(before).toBe(250);
    const second = start();
    advance(250);
    accept(second, 5);
    expect(pacer.minIntervalMs).toBeCloseTo(before / 2, 5);
  });

  it('halves the pace its refused call started at, not the faster one slow start reached while the 429 was on its way back', () => {
    const { pacer, start, accept, end, advance } = setup({ acceptedAfterMs: 250 });
    const first = start();
    advance(8_000);
    end(first, succeeded);
    const pacedAtMs = pacer.minIntervalMs;
    // A provider 300 ms away: this call's 429 comes back after the next one was counted accepted.
    const refused = start();
    advance(250);
    const second = start();
    advance(250);
    accept(second, 5);
    expect(pacer.minIntervalMs).toBeLessThan(pacedAtMs);
    end(refused, rateLimited());
    expect(pacer.minIntervalMs).toBeGreaterThanOrEqual(2 * pacedAtMs);
  });

  it('halves the rate reached on the first rate 429, then cuts by the decrease factor', () => {
    const harness = setup({ initialIntervalMs: 1_000 });
    const { pacer, start, end, advance, accept } = harness;
    runSequentially(harness, 1, 4_000);
    // Interval-paced calls at a level already accepted: their 429s are the rate.
    const accepted = start();
    advance(1_000);
    accept(accepted);
    end(accepted, succeeded);
    const intervalBefore = pacer.minIntervalMs;
    advance(intervalBefore);
    const refused = start();
    end(refused, rateLimited());
    expect(pacer.minIntervalMs).toBeCloseTo(intervalBefore * 2, 5);
    expect(pacer.snapshot()).toMatchObject({ phase: 'steady', reactions: 1 });

    // Later 429s cut the rate actually reached (here slower than the interval) by 0.85.
    const intervalAfterFirst = pacer.minIntervalMs;
    advance(pacer.minIntervalMs);
    const refusedAgain = start();
    end(refusedAgain, rateLimited());
    expect(pacer.minIntervalMs).toBeGreaterThanOrEqual(intervalAfterFirst / 0.85);
  });

  it('reacts once per congestion event: a call sent before the reaction cannot cause another', () => {
    const harness = setup({ initialIntervalMs: 1_000 });
    const { pacer, start, end, advance } = harness;
    runSequentially(harness, 2, 2_000);
    const early = start();
    const late = start();
    advance(10);
    end(late, rateLimited());
    const afterFirst = pacer.minIntervalMs;
    end(early, rateLimited());
    expect(pacer.minIntervalMs).toBe(afterFirst);
    expect(pacer.snapshot().reactions).toBe(1);
  });

  it('measures the quota from the calls accepted between 429s and paces right at it', () => {
    const harness = setup({ initialIntervalMs: 100 });
    const { pacer, start, end, advance, accept } = harness;
    runSequentially(harness, 2, 1_000);
    const refuse = () => {
      const ticket = start();
      end(ticket, rateLimited());
    };
    const acceptFive = () => {
      for (let call = 0; call < 5; call += 1) {
        advance(300);
        const ticket = start();
        accept(ticket);
        end(ticket, succeeded);
      }
      advance(1);
    };
    // The 429 that ends slow start starts no sample (a lapse follows it).
    refuse();
    expect(pacer.snapshot().phase).toBe('steady');
    acceptFive();
    // A quota of one call per 300 ms: between two 429s 1,500 ms apart, 5 calls got through.
    refuse();
    expect(pacer.snapshot().measuredRequestsPerMinute).toBeUndefined();
    acceptFive();
    refuse();
    expect(pacer.snapshot().measuredRequestsPerMinute).toBeCloseTo(60_000 / (1_501 / 5), 5);
    expect(pacer.minIntervalMs).toBeGreaterThanOrEqual(1_501 / 5);

    // Recovery then climbs over the measure (it errs low) and probes past it a step at a time, without running away.
    for (let call = 0; call < 40; call += 1) {
      const ticket = start();
      advance(1_000);
      end(ticket, succeeded, 5);
    }
    expect(pacer.minIntervalMs).toBeGreaterThanOrEqual((1_501 / 5) * 0.85);
    expect(pacer.minIntervalMs).toBeLessThan(290);

    // Refused there: from then on the probes stop just under the pace that was refused.
    for (let call = 0; call < 6; call += 1) {
      const ticket = start();
      advance(pacer.minIntervalMs);
      end(ticket, succeeded, 5);
    }
    const refusedAtIntervalMs = pacer.minIntervalMs;
    refuse();
    for (let call = 0; call < 40; call += 1) {
      const ticket = start();
      advance(1_000);
      end(ticket, succeeded, 5);
    }
    expect(pacer.minIntervalMs).toBeGreaterThanOrEqual(refusedAtIntervalMs / 0.97 - 1e-6);
    expect(pacer.minIntervalMs).toBeLessThan(60_000 / pacer.snapshot().measuredRequestsPerMinute!);
  });

  it('paces at a quota measured exactly from token to token (retry hints), and probes past it only after the long quiet spell', () => {
    const harness = setup({ initialIntervalMs: 100 });
    const { pacer, start, end, advance, accept } = harness;
    runSequentially(harness, 2, 1_000);
    // A call every 300 ms. Each cycle: three calls accepted 300 ms apart from the token, then one
    // 50 ms later refused, its next token 250 ms on (the retry hint).
    const refuse = () => {
      const ticket = start();
      end(ticket, { status: 'failed', error: new ProviderError('rate_limited', '429', { status: 429, retryAfterMs: 250 }) });
    };
    const cycle = () => {
      advance(250);
      for (let call = 0; call < 3; call += 1) {
        const ticket = start();
        accept(ticket);
        end(ticket, succeeded);
        advance(call < 2 ? 300 : 50);
      }
      refuse();
    };
    refuse();
    cycle();
    cycle();
    // Token to token: 900 ms for three calls, and no wait longer than the interval between them.
    expect(pacer.snapshot().measuredRequestsPerMinute).toBeCloseTo(200, 5);
    // The pace refused (starts 50 to 300 ms apart) was faster than the measure, yet recovery stops
    // at the measure and no probe goes past it within the long spell (64 successes).
    for (let call = 0; call < 60; call += 1) {
      const ticket = start();
      advance(1_000);
      end(ticket, succeeded, 5);
    }
    expect(pacer.minIntervalMs).toBeGreaterThanOrEqual(300);
    expect(pacer.minIntervalMs).toBeLessThan(300 * 1.001);
  });

  it('takes a level refused twice, never accepted, for the concurrency limit, and lifts it on a refusal within it', () => {
    const { pacer, start, end, accept, advance } = setup({ initialIntervalMs: 10 });
    // Ramp to five in flight, each accepted.
    const tickets: CallTicket[] = [];
    for (let call = 0; call < 5; call += 1) {
      const ticket = start();
      tickets.push(ticket);
      advance(1_000);
      accept(ticket);
    }
    expect(pacer.concurrency).toBe(6);
    // The sixth, at level 6, is refused: one refusal cannot tell, it is taken for the rate.
    end(start(), rateLimited());
    expect(pacer.snapshot().concurrencyCeiling).toBe(16);
    // Refused at six again, never accepted there: the ceiling becomes 5.
    advance(pacer.minIntervalMs);
    end(start(), rateLimited());
    expect(pacer.snapshot().concurrencyCeiling).toBe(5);
    expect(pacer.concurrency).toBe(5);
    // Refused at a level accepted before (five in flight): the rate after all, and so was the first.
    end(tickets.shift()!, succeeded);
    advance(2_000);
    const refusedAtAcceptedLevel = start();
    end(refusedAtAcceptedLevel, rateLimited());
    expect(pacer.snapshot().concurrencyCeiling).toBe(16);
    for (const ticket of tickets) end(ticket, succeeded);
  });

  it('forgets the refusals at two that made a ceiling of one once a rate 429 at one lifts it (a bucket of one, no hints)', () => {
    const { pacer, start, end, advance } = setup({ initialIntervalMs: 10 });
    const refuseAtTwo = () => {
      const first = start();
      advance(1);
      end(start(), rateLimited());
      advance(1_000);
      end(first, succeeded);
      advance(1_000);
    };
    // A second start too soon, three times: a bucket of one refuses it as a cap of one would.
    refuseAtTwo();
    refuseAtTwo();
    refuseAtTwo();
    expect(pacer.snapshot().concurrencyCeiling).toBe(1);
    // Refused alone: the rate, within the ceiling of one, which was the rate's doing all along.
    end(start(), rateLimited());
    expect(pacer.snapshot().concurrencyCeiling).toBe(16);
    advance(1_000);
    // The next refusal at two starts the judgement afresh: the rate's, the ceiling stays lifted.
    refuseAtTwo();
    expect(pacer.snapshot().concurrencyCeiling).toBe(16);
  });

  it('blames the concurrency for a second 429 at a level never accepted, even with starts paced by the interval', () => {
    const { pacer, start, end, accept, advance } = setup({ initialIntervalMs: 200 });
    for (let call = 0; call < 4; call += 1) {
      accept(start());
      advance(200);
    }
    // Paced by the interval, first refusal at five in flight: taken for the rate.
    end(start(), rateLimited());
    expect(pacer.snapshot().concurrencyCeiling).toBe(16);
    advance(pacer.minIntervalMs);
    // Refused at five again, never accepted there: five is the limit.
    end(start(), rateLimited());
    expect(pacer.snapshot().concurrencyCeiling).toBe(4);
  });

  it('takes a single 429 at a level never accepted for the rate, even at a low level', () => {
    const { pacer, start, end, accept, advance } = setup({ initialIntervalMs: 10 });
    const first = start();
    advance(1_000);
    accept(first);
    const second = start();
    advance(1_000);
    accept(second);
    const third = start();
    end(third, rateLimited());
    expect(pacer.snapshot().concurrencyCeiling).toBe(16);
  });

  it('lets a 429 that reports the requests left name its limit: some left is the concurrency, none the rate', () => {
    const refusedWith = (remainingRequests: number): SlotOutcome => ({
      status: 'failed',
      error: new ProviderError('rate_limited', '429', { status: 429, rateLimit: { limitRequestsPerMinute: 60, remainingRequests } }),
    });
    const rampTo = (harness: ReturnType<typeof setup>, level: number) => {
      const tickets: CallTicket[] = [];
      for (let call = 0; call < level; call += 1) {
        const ticket = harness.start();
        tickets.push(ticket);
        harness.advance(1_000);
        harness.accept(ticket);
      }
      return tickets;
    };
    // Without headers a 429 at three in flight is always the rate's; with requests left, the
    // concurrency: the ceiling drops under the level refused, and no rate is measured.
    const withRequestsLeft = setup({ initialIntervalMs: 10 });
    const tickets = rampTo(withRequestsLeft, 2);
    withRequestsLeft.end(withRequestsLeft.start(), refusedWith(3));
    expect(withRequestsLeft.pacer.snapshot().concurrencyCeiling).toBe(2);
    expect(withRequestsLeft.pacer.concurrency).toBeLessThanOrEqual(2);
    for (const ticket of tickets) withRequestsLeft.end(ticket, succeeded);

    // Without headers a 429 at a never-proven level with starts held by the slots is the
    // concurrency's; with none left, the rate: the ceiling stays and the rate is cut.
    const noneLeft = setup({ initialIntervalMs: 10 });
    rampTo(noneLeft, 5);
    const intervalBefore = noneLeft.pacer.minIntervalMs;
    noneLeft.end(noneLeft.start(), refusedWith(0));
    expect(noneLeft.pacer.snapshot().concurrencyCeiling).toBe(16);
    expect(noneLeft.pacer.minIntervalMs).toBeGreaterThan(intervalBefore);
  });

  it('cuts the concurrency ceiling on an overload', () => {
    const { pacer, start, end, accept, advance } = setup({ initialIntervalMs: 10 });
    const tickets: CallTicket[] = [];
    for (let call = 0; call < 8; call += 1) {
      const ticket = start();
      tickets.push(ticket);
      advance(100);
      accept(ticket);
    }
    const last = tickets.at(-1)!;
    end(last, overloaded());
    expect(pacer.snapshot().concurrencyCeiling).toBe(Math.floor(8 * 0.7));
    expect(pacer.concurrency).toBeLessThanOrEqual(5);
  });

  it('paces at the quota the provider states (x-ratelimit-limit-requests) and never faster', () => {
    const { pacer, start, end, advance } = setup();
    const ticket = start();
    advance(2_000);
    end(ticket, { status: 'succeeded', rateLimit: { limitRequestsPerMinute: 120, remainingRequests: 7 } });
    expect(pacer.minIntervalMs).toBe(500);
    expect(pacer.snapshot().measuredRequestsPerMinute).toBe(120);
    for (let call = 0; call < 50; call += 1) {
      const next = start();
      advance(500);
      end(next, { status: 'succeeded', rateLimit: { limitRequestsPerMinute: 120 } }, 5);
    }
    expect(pacer.minIntervalMs).toBe(500);
  });

  it('never paces faster than an operator-given requestsPerMinute', () => {
    const harness = setup({ requestsPerMinute: 30, initialIntervalMs: 0 });
    expect(harness.pacer.minIntervalMs).toBe(2_000);
    runSequentially(harness, 30, 100);
    expect(harness.pacer.minIntervalMs).toBeGreaterThanOrEqual(2_000);
  });

  it('learns nothing from aborted calls or failures unrelated to the quota', () => {
    const { pacer, start, end, advance } = setup();
    const aborted = start();
    end(aborted, undefined);
    const blocked = start();
    advance(100);
    end(blocked, { status: 'failed', error: new ProviderError('safety_blocked', 'no') });
    const crashed = start();
    end(crashed, { status: 'failed', error: new Error('bug') });
    expect(pacer.snapshot()).toMatchObject({ concurrency: 1, minIntervalMs: 500, phase: 'slow-start', reactions: 0 });
  });

  it('probes a learned concurrency ceiling again after a round trip of successes at it, sixteen at least', () => {
    const { pacer, start, end, accept, advance } = setup({ initialIntervalMs: 10 });
    const inFlight: CallTicket[] = [];
    for (let call = 0; call < 5; call += 1) {
      const ticket = start();
      inFlight.push(ticket);
      advance(1_000);
      accept(ticket);
    }
    end(start(), rateLimited());
    advance(pacer.minIntervalMs);
    end(start(), rateLimited());
    expect(pacer.snapshot().concurrencyCeiling).toBe(5);
    // Sixteen successes with all five slots busy (a round trip of them, and at least sixteen): the ceiling is tried at 6.
    for (let call = 0; call < 16; call += 1) {
      if (call === 15) expect(pacer.snapshot().concurrencyCeiling).toBe(5);
      const done = inFlight.shift()!;
      advance(1_000);
      end(done, succeeded, 3);
      const replacement = start();
      inFlight.push(replacement);
      accept(replacement, 3);
    }
    expect(pacer.snapshot().concurrencyCeiling).toBe(6);
  });

  it('rejects invalid options as programmer errors', () => {
    expect(() => createAdaptivePacer({ maxConcurrency: 0 })).toThrow(RangeError);
    expect(() => createAdaptivePacer({ decreaseFactor: 1 })).toThrow(RangeError);
    expect(() => createAdaptivePacer({ initialIntervalMs: -1 })).toThrow(RangeError);
    expect(() => createAdaptivePacer({ acceptedAfterMs: Number.NaN })).toThrow(RangeError);
    expect(() => createAdaptivePacer({ requestsPerMinute: 0 })).toThrow(RangeError);
    expect(() => createAdaptivePacer({ probeAfterSuccesses: 1.5 })).toThrow(RangeError);
  });
});
