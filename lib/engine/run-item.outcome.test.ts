import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '@/lib/core';
import { createLane, type Lane, type SlotOutcome } from './lane';
import { resolveRetryPolicy } from './retry';
import { runItem } from './run-item';
import { createScriptedProvider, fail, succeed } from './testing/scripted-provider';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A lane that records what each release said about the call. */
function recordingLane(): { lane: Lane; outcomes: (SlotOutcome | undefined)[] } {
  const inner = createLane({ minIntervalMs: 0 });
  const outcomes: (SlotOutcome | undefined)[] = [];
  const lane: Lane = {
    async acquire(signal) {
      const release = await inner.acquire(signal);
      return (outcome?: SlotOutcome) => {
        outcomes.push(outcome);
        release(outcome);
      };
    },
    pauseFor: (durationMs) => inner.pauseFor(durationMs),
    setConcurrency: (concurrency) => inner.setConcurrency(concurrency),
    setMinIntervalMs: (minIntervalMs) => inner.setMinIntervalMs(minIntervalMs),
    onConcurrencyRaised: (listener) => inner.onConcurrencyRaised(listener),
    closeFor: (error, durationMs) => inner.closeFor(error, durationMs),
    get closedBy() {
      return inner.closedBy;
    },
    inFlight: 0,
    waiting: 0,
    concurrency: 1,
    minIntervalMs: 0,
    burst: 1,
    pauseRemainingMs: 0,
  };
  return { lane, outcomes };
}

describe('runItem tells the lane how each call ended', () => {
  it('passes the failure, then the success with the rate-limit info the provider reported', async () => {
    const rateLimited = new ProviderError('rate_limited', '429', { retryAfterMs: 100 });
    const provider = createScriptedProvider({ script: { 1: [fail(rateLimited), succeed()] } });
    const rateLimit = { limitRequestsPerMinute: 60, remainingRequests: 59 };
    const generate = provider.generate.bind(provider);
    provider.generate = async (request, signal) => ({ ...(await generate(request, signal)), rateLimit });
    const { lane, outcomes } = recordingLane();
    const run = runItem({ request: { prompt: 'p', index: 1 }, provider, lane, policy: resolveRetryPolicy({ baseDelayMs: 10 }), random: () => 0.5, emit: () => {} });
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await run).status).toBe('succeeded');
    expect(outcomes).toEqual([{ status: 'failed', error: rateLimited }, { status: 'succeeded', rateLimit }]);
  });
});
