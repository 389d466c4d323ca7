import fc from 'fast-check';
import type { GridScenario } from './grid-scenario';

/**
 * Random quota shapes for the property test: a token bucket of 0.2 to 20 requests a second holding
 * 1 to 10, calls in flight capped at 1 to 16 or not at all, log-normal latency with a median of
 * 0.2 s to 5 s, optionally 429s without a retry hint or with one in whole seconds, or with OpenAI's
 * headers; the provider at hand or a 100 ms or 300 ms round trip away (every real one is some way
 * off: a 429 comes back a round trip after the call left, and the calls sent meanwhile are already
 * on their way); 24 images, enough to learn the quota and use it, few enough to keep `npm test` fast.
 * The quota stays as shaped: the refusal bound is about learning a stable quota.
 */
export const quotaShapeArbitrary: fc.Arbitrary<GridScenario> = fc
  .record({
    requestsPerSecond: fc.constantFrom(0.2, 0.5, 1, 2, 3, 5, 10, 20),
    bucket: fc.integer({ min: 1, max: 10 }),
    maxConcurrent: fc.option(fc.constantFrom(1, 2, 3, 4, 8, 16), { nil: undefined }),
    medianMs: fc.constantFrom(200, 500, 1_000, 2_000, 5_000),
    sigma: fc.constantFrom(0.35, 0.6),
    retryHint: fc.constantFrom('exact' as const, 'seconds' as const, 'none' as const),
    isSendingRateLimitHeaders: fc.boolean(),
    roundTripMs: fc.constantFrom(0, 100, 300),
  })
  .map((shape) => ({
    name: `${shape.requestsPerSecond}/s bucket ${shape.bucket}, cap ${shape.maxConcurrent ?? 'none'}, ${shape.medianMs} ms (sigma ${shape.sigma}), hint ${shape.retryHint}${shape.isSendingRateLimitHeaders ? ', x-ratelimit headers' : ''}${shape.roundTripMs > 0 ? `, ${shape.roundTripMs} ms round trip` : ''}`,
    family: 'property',
    quota: { requestsPerSecond: shape.requestsPerSecond, bucket: shape.bucket, ...(shape.maxConcurrent === undefined ? {} : { maxConcurrent: shape.maxConcurrent }) },
    latency: { medianMs: shape.medianMs, sigma: shape.sigma },
    images: 24,
    retryHint: shape.retryHint,
    isSendingRateLimitHeaders: shape.isSendingRateLimitHeaders,
    ...(shape.roundTripMs > 0 ? { roundTripMs: shape.roundTripMs } : {}),
  }));
