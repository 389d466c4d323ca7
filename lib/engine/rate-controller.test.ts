import { describe, expect, it } from 'vitest';
import { RateController } from './rate-controller';

function controller() {
  return new RateController({ initialIntervalMs: 500, floorIntervalMs: 0, decreaseFactor: 0.7, probeAfterSuccesses: 64 });
}

/** Successes while callers wait, one call per latency in flight: recovery, then probes. */
function succeed(rate: RateController, count: number) {
  for (let call = 0; call < count; call += 1) {
    rate.recordSuccess();
    rate.grow(1);
  }
}

describe('RateController', () => {
  it('lets the slots pace the starts, but not back to a rate the last rate 429 backed off from', () => {
    const rate = controller();
    rate.yieldToSlots(100);
    // Nothing refused yet: twice as fast as the slots free up.
    expect(rate.intervalMs).toBe(50);
    // Leaving slow start refused at 20 ms: backed off to 40 ms, which the slots do not undo.
    rate.onRateRefusal(20, undefined, { isLeavingSlowStart: true, isLevelProven: true });
    expect(rate.intervalMs).toBe(40);
    rate.yieldToSlots(10);
    expect(rate.intervalMs).toBe(40);
    // That 429 turned out to be the cap's: forgotten, the slots pace the starts again.
    rate.forgetLastRefusal();
    rate.yieldToSlots(10);
    expect(rate.intervalMs).toBe(5);
  });

  it('recovers to an exact measure and probes past it only after four long quiet spells, though a faster pace was refused', () => {
    const rate = controller();
    rate.onRateRefusal(200, undefined, { isLeavingSlowStart: true, isLevelProven: true });
    succeed(rate, 10);
    // Refused at 200 ms; the sample closed there measured 300 ms a call from token to token, no lapse.
    rate.onRateRefusal(200, { intervalMs: 300, isExact: true }, { isLeavingSlowStart: false, isLevelProven: true });
    succeed(rate, 200);
    expect(rate.intervalMs).toBeGreaterThanOrEqual(300);
    expect(rate.intervalMs).toBeLessThan(300 * 1.001);
    // After four long spells (4 x 64 successes), one small probe past it.
    succeed(rate, 80);
    expect(rate.intervalMs).toBeLessThan(300);
    expect(rate.intervalMs).toBeGreaterThan(300 / 1.06);
  });

  it('leaving slow start on a 429 a bucket of one explains, recovers to that bucket\'s refill, not halfway to the pace that failed', () => {
    const recoveredTo = (oneTokenRefillMs?: number) => {
      const rate = controller();
      // Refused at a 42 ms pace; a bucket of one a token per 50 ms explains it.
      rate.onRateRefusal(42, undefined, { isLeavingSlowStart: true, isLevelProven: true, ...(oneTokenRefillMs === undefined ? {} : { oneTokenRefillMs }) });
      // Recovery only: fewer successes than a probe waits for.
      for (let call = 0; call < 4; call += 1) {
        rate.recordSuccess();
        rate.grow(0.01);
      }
      return rate.intervalMs;
    };
    expect(recoveredTo(50)).toBeCloseTo(50, 5);
    // Without it: halfway in log space between the 84 ms backed off to and the 42 that failed.
    expect(recoveredTo()).toBeCloseTo(Math.sqrt(42 * 84), 5);
    // Never past the pace that failed (a bucket of one cannot explain a refill faster than it).
    expect(recoveredTo(30)).toBeCloseTo(42 / 0.95, 5);
  });

  it('climbs to a bucket of one\'s refill within about a round trip of successes, not the usual 40 % of the gap per round trip', () => {
    const rate = controller();
    rate.onRateRefusal(42, undefined, { isLeavingSlowStart: true, isLevelProven: true, oneTokenRefillMs: 50 });
    expect(rate.intervalMs).toBeCloseTo(84, 5);
    // Ten successes at four calls per latency (two and a half round trips).
    for (let call = 0; call < 10; call += 1) {
      rate.recordSuccess();
      rate.grow(4);
    }
    expect(rate.intervalMs).toBeLessThan(50 * 1.05);
    expect(rate.intervalMs).toBeGreaterThanOrEqual(50);
  });

  it('backs off from a refused probe to the pace that held before it, not a cut below the probe', () => {
    const rate = controller();
    rate.onRateRefusal(200, undefined, { isLeavingSlowStart: true, isLevelProven: true });
    succeed(rate, 40);
    // Recovered, then held: the next success that moves the interval is a probe past it.
    const heldMs = rate.intervalMs;
    let successes = 0;
    while (rate.intervalMs === heldMs && successes < 200) {
      succeed(rate, 1);
      successes += 1;
    }
    const probedMs = rate.intervalMs;
    expect(probedMs).toBeLessThan(heldMs);
    rate.onRateRefusal(probedMs, undefined, { isLeavingSlowStart: false, isLevelProven: true });
    expect(rate.intervalMs).toBeCloseTo(heldMs, 5);
    // A refusal not of a probe still cuts by the decrease factor.
    succeed(rate, 3);
    rate.onRateRefusal(heldMs, undefined, { isLeavingSlowStart: false, isLevelProven: true });
    expect(rate.intervalMs).toBeCloseTo(heldMs / 0.7, 5);
  });

  it('takes a measure that may be a floor (not exact) for one to climb over and probe past soon', () => {
    const rate = controller();
    rate.onRateRefusal(200, undefined, { isLeavingSlowStart: true, isLevelProven: true });
    succeed(rate, 10);
    rate.onRateRefusal(200, { intervalMs: 300, isExact: false }, { isLeavingSlowStart: false, isLevelProven: true });
    succeed(rate, 60);
    expect(rate.intervalMs).toBeLessThan(300 * 0.96);
  });

  it('refused once while pacing at an exact measure, at a level proven: the quota shrank, the measure is forgotten and the rate halved', () => {
    const rate = controller();
    rate.onRateRefusal(200, undefined, { isLeavingSlowStart: true, isLevelProven: true });
    succeed(rate, 10);
    rate.onRateRefusal(200, { intervalMs: 300, isExact: true }, { isLeavingSlowStart: false, isLevelProven: true });
    succeed(rate, 100);
    expect(rate.intervalMs).toBeCloseTo(300, 0);
    // The quota halved: pacing at its refill is refused, once.
    expect(rate.onRateRefusal(300, { intervalMs: 320, isExact: false }, { isLeavingSlowStart: false, isLevelProven: true })).toBe('quota-shrank');
    expect(rate.quota.source).toBe('unknown');
    expect(rate.intervalMs).toBeCloseTo(600, 0);
  });

  it('refused at an exact measure with a hint that says the token was only just late: a near miss, the measure slows by the wait and stays', () => {
    const refusedAtMeasure = (retryAfterMs: number) => {
      const rate = controller();
      rate.onRateRefusal(200, undefined, { isLeavingSlowStart: true, isLevelProven: true });
      succeed(rate, 10);
      rate.onRateRefusal(200, { intervalMs: 300, isExact: true }, { isLeavingSlowStart: false, isLevelProven: true });
      succeed(rate, 100);
      const verdict = rate.onRateRefusal(300, { intervalMs: 320, isExact: false }, { isLeavingSlowStart: false, isLevelProven: true, retryAfterMs });
      return { verdict, rate };
    };
    // The next token 3 ms away (jitter over a measure of one call): 303 ms, still the measure.
    const nearMiss = refusedAtMeasure(3);
    expect(nearMiss.verdict).toBe('as-known');
    expect(nearMiss.rate.quota).toMatchObject({ source: 'measured', intervalMs: 303, isExact: true });
    expect(nearMiss.rate.intervalMs).toBeCloseTo(303, 5);
    // 150 ms away, half an interval: the quota shrank.
    expect(refusedAtMeasure(150).verdict).toBe('quota-shrank');
  });

  it('refused once at an exact measure, at a level never accepted: a cap may have refused it, the measure stands', () => {
    const rate = controller();
    rate.onRateRefusal(200, undefined, { isLeavingSlowStart: true, isLevelProven: true });
    succeed(rate, 10);
    rate.onRateRefusal(200, { intervalMs: 300, isExact: true }, { isLeavingSlowStart: false, isLevelProven: true });
    succeed(rate, 100);
    expect(rate.onRateRefusal(300, { intervalMs: 320, isExact: false }, { isLeavingSlowStart: false, isLevelProven: false })).toBe('as-known');
    expect(rate.quota.source).toBe('measured');
  });
});
