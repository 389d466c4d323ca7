import { describe, expect, it } from 'vitest';
import { classifyRefusal, type RefusalCause, type RefusalEvidence } from './refusal-classifier';

const nothingKnown: RefusalEvidence = { level: 6, isFailedConcurrencyProbe: false, earlierRefusalsAtLevel: 0, isLevelProven: false, rateRefusalsSinceAcceptedAtLevel: 0, hasRetryHint: true };

describe('classifyRefusal', () => {
  it.each<[string, Partial<RefusalEvidence>, RefusalCause]>([
    ['the provider says none were left: the rate', { remainingRequests: 0 }, 'rate'],
    ['the provider says some were left: calls in flight', { remainingRequests: 4 }, 'concurrency'],
    ['some left, but only one call was in flight: the rate (a cap of zero is no cap)', { remainingRequests: 4, level: 1 }, 'rate'],
    ['headers outrank every guess', { remainingRequests: 0, isFailedConcurrencyProbe: true, earlierRefusalsAtLevel: 1 }, 'rate'],
    ['a probe of a raised ceiling refused: calls in flight', { isFailedConcurrencyProbe: true, isLevelProven: true }, 'concurrency'],
    ['a level proven by calls accepted at it or above: the rate', { isLevelProven: true }, 'rate'],
    ['the first refusal at a level never accepted: the rate (the next call there tells)', {}, 'rate'],
    ['refused again at a level never accepted: calls in flight', { earlierRefusalsAtLevel: 1 }, 'concurrency'],
    ['refused twice at a level never accepted, but proven since by calls above it: the rate', { earlierRefusalsAtLevel: 1, isLevelProven: true }, 'rate'],
    ['refused twice at two in flight: still the rate (a bucket of one refuses a start that came too soon the same way)', { level: 2, earlierRefusalsAtLevel: 1 }, 'rate'],
    ['refused three times at two in flight, never accepted there: a cap of one', { level: 2, earlierRefusalsAtLevel: 2 }, 'concurrency'],
    ['refused twice with one call in flight: the rate', { level: 1, earlierRefusalsAtLevel: 1 }, 'rate'],
    ['a proven level refused after a hinted rate 429 there, none accepted since: the cap came down', { isLevelProven: true, rateRefusalsSinceAcceptedAtLevel: 1 }, 'concurrency'],
    ['the same without a retry hint: the rate (the lane could not wait for the token)', { isLevelProven: true, rateRefusalsSinceAcceptedAtLevel: 1, hasRetryHint: false }, 'rate'],
    ['the same at two in flight: once is not enough (a bucket of one)', { level: 2, isLevelProven: true, rateRefusalsSinceAcceptedAtLevel: 1 }, 'rate'],
    ['twice at two in flight: the cap came down to one', { level: 2, isLevelProven: true, rateRefusalsSinceAcceptedAtLevel: 2 }, 'concurrency'],
    ['the first call started on the token a rate 429 announced, refused: not the rate (it had that token)', { isFirstStartOnAnnouncedToken: true, isLevelProven: true }, 'concurrency'],
    ['the same at two in flight: a start on the token came no sooner than the refill', { level: 2, isFirstStartOnAnnouncedToken: true }, 'concurrency'],
    ['the same with one call in flight: the rate (no cap refuses a lone call)', { level: 1, isFirstStartOnAnnouncedToken: true }, 'rate'],
    ['the same, the provider saying none were left: the rate (another client took the token)', { isFirstStartOnAnnouncedToken: true, remainingRequests: 0 }, 'rate'],
    ['refused again at a level never accepted, no hint: calls in flight', { earlierRefusalsAtLevel: 1, hasRetryHint: false }, 'concurrency'],
    ['the same, but within a cap already judged: the rate (that cap would have let it through)', { earlierRefusalsAtLevel: 1, hasRetryHint: false, isWithinCeiling: true }, 'rate'],
    ['within a cap already judged, after a hint the lane waited out, a proven level: the cap came down', { isLevelProven: true, rateRefusalsSinceAcceptedAtLevel: 1, isWithinCeiling: true }, 'concurrency'],
  ])('%s', (_, evidence, cause) => {
    expect(classifyRefusal({ ...nothingKnown, ...evidence })).toBe(cause);
  });
});
