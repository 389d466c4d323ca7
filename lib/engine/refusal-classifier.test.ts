import { describe, expect, it } from 'vitest';
import { classifyRefusal, type RefusalCause, type RefusalEvidence } from './refusal-classifier';

const nothingKnown: RefusalEvidence = { level: 6, isFailedConcurrencyProbe: false, isPacedByInterval: false, isLevelRefuted: false, isLevelProven: false };

describe('classifyRefusal', () => {
  it.each<[string, Partial<RefusalEvidence>, RefusalCause]>([
    ['the provider says none were left: the rate', { remainingRequests: 0 }, 'rate'],
    ['the provider says some were left: calls in flight', { remainingRequests: 4 }, 'concurrency'],
    ['some left, but only one call was in flight: the rate (a cap of zero is no cap)', { remainingRequests: 4, level: 1 }, 'rate'],
    ['headers outrank every guess', { remainingRequests: 0, isFailedConcurrencyProbe: true, isLevelRefuted: true }, 'rate'],
    ['a probe of a raised ceiling refused: calls in flight', { isFailedConcurrencyProbe: true, isLevelProven: true }, 'concurrency'],
    ['a level proven by calls accepted at it or above: the rate', { isLevelProven: true }, 'rate'],
    ['starts held by the slots at a level never proven: calls in flight', {}, 'concurrency'],
    ['starts held by the interval: the rate', { isPacedByInterval: true }, 'rate'],
    ['held by the interval, but refused here before and never accepted: calls in flight', { isPacedByInterval: true, isLevelRefuted: true }, 'concurrency'],
    ['three or fewer in flight without headers: the rate', { level: 3 }, 'rate'],
  ])('%s', (_, evidence, cause) => {
    expect(classifyRefusal({ ...nothingKnown, ...evidence })).toBe(cause);
  });
});
