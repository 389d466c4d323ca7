import { describe, expect, it } from 'vitest';
import { LevelEvidence, QuotaRateSampler, StartRateMeter } from './pacing-signals';

/** Feeds the sampler a quota's answers: `accepted` calls spread evenly between consecutive 429s. */
function refusalsEvery(sampler: QuotaRateSampler, options: { refusals: number; gapMs: number; acceptedBetween: number }) {
  const measures: (number | undefined)[] = [];
  let nowMs = 0;
  for (let refusal = 0; refusal < options.refusals; refusal += 1) {
    const refused = sampler.add(nowMs);
    refused.isRejected = true;
    measures.push(sampler.closeAt(refused)?.intervalMs);
    for (let call = 1; call <= options.acceptedBetween; call += 1) sampler.add(nowMs + (call * options.gapMs) / (options.acceptedBetween + 1));
    nowMs += options.gapMs;
  }
  return measures;
}

describe('QuotaRateSampler', () => {
  it('measures the interval per accepted call over the last three 429s once enough calls got through', () => {
    // 5 calls accepted every 1,500 ms: one per 300 ms. Before the first 429 nothing counts.
    const sampler = new QuotaRateSampler();
    for (let call = 0; call < 20; call += 1) sampler.add(-1_000 + call);
    const measures = refusalsEvery(sampler, { refusals: 5, gapMs: 1_500, acceptedBetween: 5 });
    expect(measures[0]).toBeUndefined();
    expect(measures.slice(1)).toEqual([300, 300, 300, 300]);
  });

  it('reaches back over more 429s at a low rate, where fewer than four calls get through between two', () => {
    // One call accepted between 429s 6 s apart (a quota of 10 per minute): four spans make a sample.
    const measures = refusalsEvery(new QuotaRateSampler(), { refusals: 7, gapMs: 6_000, acceptedBetween: 1 });
    expect(measures.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(measures.slice(4)).toEqual([6_000, 6_000, 6_000]);
  });

  it('measures from token to token when the 429s said when the next token comes: two accepted calls are enough', () => {
    // A bucket of 10 per minute (a token every 6 s). Refused at 1 s (next token at 6 s), two calls
    // get through (at 6 s and 12 s), refused at 13 s (next token at 18 s): 12 s for two tokens.
    const sampler = new QuotaRateSampler();
    const first = sampler.add(1_000);
    first.isRejected = true;
    expect(sampler.closeAt(first, 5_000)).toBeUndefined();
    sampler.add(6_000);
    sampler.add(12_000);
    const second = sampler.add(13_000);
    second.isRejected = true;
    expect(sampler.closeAt(second, 5_000)).toEqual({ intervalMs: 6_000, isExact: true });
  });

  it('from token to token, one accepted call between two hinted 429s is enough: the bucket made exactly that token', () => {
    // A token a second. Refused at 0.5 s (next token at 1 s), one call gets through at 1 s, refused
    // at 1.7 s (next token at 2 s): one token in 1 s. Waiting for a second call cost a 429 more.
    const sampler = new QuotaRateSampler();
    const first = sampler.add(500);
    first.isRejected = true;
    expect(sampler.closeAt(first, 500)).toBeUndefined();
    sampler.add(1_000);
    const second = sampler.add(1_700);
    second.isRejected = true;
    expect(sampler.closeAt(second, 300)).toEqual({ intervalMs: 1_000, isExact: true });
  });

  it('calls a token-to-token measure exact only if no wait between accepted calls let tokens overflow', () => {
    const measure = (acceptedAtMs: number[], closingSlackMs = 0) => {
      const sampler = new QuotaRateSampler();
      const first = sampler.add(0);
      first.isRejected = true;
      sampler.closeAt(first, 1_000);
      for (const startMs of acceptedAtMs) sampler.add(startMs);
      const closing = sampler.add(acceptedAtMs.at(-1)! + 500);
      closing.isRejected = true;
      return sampler.closeAt(closing, 500, closingSlackMs);
    };
    // Pressed all along: a call each second from the token at 1 s; refused at 4.5 s, next token at 5 s.
    expect(measure([1_000, 2_000, 3_000, 4_000])).toEqual({ intervalMs: 1_000, isExact: true });
    // A 3 s wait between two calls: a bucket of one overflowed, the quota may be faster than measured.
    expect(measure([1_000, 4_000, 5_000, 6_000])).toEqual({ intervalMs: 1_500, isExact: false });
    // The same calls, the closing hint in whole seconds (a second off either way): no exact measure.
    expect(measure([1_000, 2_000, 3_000, 4_000], 1_000)).toEqual({ intervalMs: 1_000, isExact: false });
  });

  it('calls a measure whose first token waited for a call exact only once a burst proved the bucket holds two', () => {
    // A token a second, a bucket of one: refused at 1,456 (next token at 2,000); the lane's interval
    // holds the next start to 2,235, so the token waits 235 ms and overflows; refused at 2,947 (next
    // token at 3,235). One call in 1,235 ms: a floor under the quota, not the quota.
    const measure = (earlierAcceptedAtMs: number[]) => {
      const sampler = new QuotaRateSampler();
      for (const startMs of earlierAcceptedAtMs) sampler.add(startMs);
      const first = sampler.add(1_456);
      first.isRejected = true;
      sampler.closeAt(first, 544);
      sampler.add(2_235);
      const second = sampler.add(2_947);
      second.isRejected = true;
      return sampler.closeAt(second, 288);
    };
    expect(measure([0, 1_000])).toEqual({ intervalMs: 1_235, isExact: false });
    // Two calls accepted 100 ms apart: the bucket holds two tokens, and a wait of 235 ms lost none.
    expect(measure([0, 100])).toEqual({ intervalMs: 1_235, isExact: true });
  });

  it('tells whether the bucket may hold a single token from the refill a hint implies and the closest accepted starts', () => {
    const mayHoldOne = (acceptedAtMs: number[], refusedAtMs: number, retryAfterMs: number) => {
      const sampler = new QuotaRateSampler();
      for (const startMs of acceptedAtMs) sampler.add(startMs);
      const refused = sampler.add(refusedAtMs);
      refused.isRejected = true;
      return sampler.oneTokenRefill(refused, retryAfterMs);
    };
    // Accepted a second apart, refused at 1,456, next token at 2,000: a token a second, one at a time fits.
    expect(mayHoldOne([0, 1_000], 1_456, 544)).toEqual({ mayHoldOne: true, refillMs: 1_000 });
    // Two starts 100 ms apart were both accepted: the bucket held two tokens then.
    expect(mayHoldOne([0, 100, 1_000], 1_456, 544)).toEqual({ mayHoldOne: false, refillMs: 1_000 });
    // Refused before any call got through: nothing says otherwise.
    expect(mayHoldOne([], 0, 500)).toEqual({ mayHoldOne: true });
  });

  it('without hints, the same two calls are too few to trust', () => {
    const sampler = new QuotaRateSampler();
    const first = sampler.add(1_000);
    first.isRejected = true;
    sampler.closeAt(first);
    sampler.add(6_000);
    sampler.add(12_000);
    const second = sampler.add(13_000);
    second.isRejected = true;
    expect(sampler.closeAt(second)).toBeUndefined();
  });

  it('does not count refused calls, and gives nothing when too few were accepted even eight 429s back', () => {
    const sampler = new QuotaRateSampler();
    const measures = refusalsEvery(sampler, { refusals: 10, gapMs: 1_000, acceptedBetween: 0 });
    expect(measures.every((measure) => measure === undefined)).toBe(true);
  });
});

describe('StartRateMeter', () => {
  it('is unknown until four starts are known', () => {
    const meter = new StartRateMeter();
    for (const startMs of [0, 100, 200]) meter.add(startMs);
    expect(meter.intervalMs()).toBeUndefined();
    meter.add(300);
    expect(meter.intervalMs()).toBe(100);
  });

  it('takes the typical gap, not the mean: one long wait for slots does not pass for a slow pace', () => {
    const meter = new StartRateMeter();
    // Four starts, 25 s with every slot taken by slow calls, then three freed together 500 ms apart.
    for (const startMs of [0, 250, 500, 25_500, 26_000, 26_500]) meter.add(startMs);
    expect(meter.intervalMs()).toBe(500);
  });
});

describe('LevelEvidence', () => {
  it('counts rate 429s at a level or above since a call was last accepted there, not those of other causes', () => {
    const levels = new LevelEvidence();
    for (let call = 0; call < 10; call += 1) levels.accepted(8);
    expect(levels.isProvenAt(6)).toBe(true);
    levels.refused(8, true);
    expect(levels.rateRefusalsSinceAcceptedAt(6)).toBe(1);
    expect(levels.rateRefusalsSinceAcceptedAt(9)).toBe(0);
    // A concurrency 429 (or slow start's) is not counted; a call accepted at 4 says nothing of 6.
    levels.refused(7);
    levels.accepted(4);
    expect(levels.rateRefusalsSinceAcceptedAt(6)).toBe(1);
    levels.accepted(6);
    expect(levels.rateRefusalsSinceAcceptedAt(6)).toBe(0);
    expect(levels.rateRefusalsSinceAcceptedAt(7)).toBe(1);
  });
});
