import { ProviderError, sleep, type GeneratedImage, type ImageProvider, type RateLimitInfo } from '@/lib/core';
import { rateLimitInfoOf, retryHintOf, retryHintOptions } from '@/lib/providers';
import { tinyPng } from '@/lib/providers/testing';
import { latencyDraws } from './clairvoyant-bound';
import { GridQuota, quotaRatePerMsAt, SecondClient } from './grid-quota';
import type { GridScenario } from './grid-scenario';

/**
 * A provider under a grid scenario's quota, in process: no HTTP, so that a virtual clock (the
 * global timers and `Date`, faked by the grid's runner) drives everything. It answers as the
 * adapters would after classifying: a `ProviderError` of kind `rate_limited` (with the retry hint
 * the scenario gives, and, on the OpenAI-style scenarios, the `x-ratelimit-*` headers read by the
 * OpenAI adapter's own parsers) or `overloaded`, or an image after the call's latency.
 */

export interface GridProviderStats {
  /** Calls received from our client. */
  calls: number;
  accepted: number;
  refusedForRate: number;
  refusedForConcurrency: number;
  overloaded: number;
  /** When the last 429 was given (simulated ms from the start); undefined when none was. */
  lastRefusalAtMs?: number;
  /** Calls in flight, at most, at any moment. */
  peakInFlight: number;
}

export interface GridProvider extends ImageProvider {
  stats(): GridProviderStats;
  /** Stops the second client's timer. */
  stop(): void;
}

/** The concurrency 429's hint when the scenario sends hints: a second, as the HTTP simulator does. */
const concurrencyRetryAfterMs = 1_000;

export function createGridProvider(scenario: GridScenario, seed: number): GridProvider {
  const startedAtMs = Date.now();
  const elapsedMs = () => Date.now() - startedAtMs;
  const quota = new GridQuota(scenario);
  const nextLatencyMs = latencyDraws(scenario, seed);
  const stats: GridProviderStats = { calls: 0, accepted: 0, refusedForRate: 0, refusedForConcurrency: 0, overloaded: 0, peakInFlight: 0 };
  const otherClient = startOtherClient(scenario, quota, elapsedMs);

  const rateLimitInfo = (): RateLimitInfo | undefined => (scenario.isSendingRateLimitHeaders ? rateLimitInfoOf(rateLimitHeaders(scenario, quota, elapsedMs())) : undefined);
  /** The 429 as the provider writes it at its decision: its headers count from then, not from when it reaches the client. */
  const refusal = (retryAfterMs: number | undefined): ProviderError => {
    const headers = scenario.isSendingRateLimitHeaders ? rateLimitHeaders(scenario, quota, elapsedMs()) : new Headers();
    if (retryAfterMs !== undefined && scenario.retryHint === 'seconds') headers.set('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1_000))));
    else if (retryAfterMs !== undefined && scenario.retryHint !== 'none') headers.set('retry-after-ms', String(Math.max(1, Math.ceil(retryAfterMs))));
    const rateLimit = rateLimitInfoOf(headers);
    return new ProviderError('rate_limited', 'Too many requests', {
      status: 429,
      // Read as the OpenAI adapter reads it: to the millisecond, or in whole seconds, a second off either way.
      ...retryHintOptions(retryHintOf(headers)),
      ...(rateLimit ? { rateLimit } : {}),
    });
  };

  /** Counts a declined call and writes the answer the provider sends for it. */
  const decline = (admission: Extract<ReturnType<GridQuota['admit']>, { isAccepted: false }>): ProviderError => {
    switch (admission.reason) {
      case 'overloaded':
        stats.overloaded += 1;
        return new ProviderError('overloaded', 'The model is overloaded', { status: 503 });
      case 'concurrency':
        stats.refusedForConcurrency += 1;
        return refusal(concurrencyRetryAfterMs);
      case 'rate':
        stats.refusedForRate += 1;
        return refusal(admission.nextTokenInMs);
    }
  };

  return {
    id: 'grid-simulator',
    modelId: 'grid-model',
    isDemo: false,
    async generate(): Promise<GeneratedImage> {
      stats.calls += 1;
      // Over a network, the call reaches the provider half a round trip after it left, and a refusal
      // comes back half a round trip after the provider decided (its hint counts from the decision).
      const oneWayMs = (scenario.roundTripMs ?? 0) / 2;
      if (oneWayMs > 0) await sleep(oneWayMs);
      const admission = quota.admit(elapsedMs());
      if (!admission.isAccepted) {
        const error = decline(admission);
        if (oneWayMs > 0) await sleep(oneWayMs);
        if (admission.reason !== 'overloaded') stats.lastRefusalAtMs = elapsedMs();
        throw error;
      }
      stats.accepted += 1;
      stats.peakInFlight = Math.max(stats.peakInFlight, quota.inFlight);
      try {
        await sleep(nextLatencyMs());
      } finally {
        admission.release();
      }
      // The image comes back over the same network as a refusal, with the headers written as it left.
      const rateLimit = rateLimitInfo();
      if (oneWayMs > 0) await sleep(oneWayMs);
      return { bytes: tinyPng(), mimeType: 'image/png', ...(rateLimit ? { rateLimit } : {}) };
    },
    stats: () => ({ ...stats }),
    stop: () => otherClient.stop(),
  };
}

/** OpenAI's request headers for the quota at this moment (the limit per minute at the current rate). */
function rateLimitHeaders(scenario: GridScenario, quota: GridQuota, nowMs: number): Headers {
  const resetMs = Math.max(0, Math.ceil(quota.bucket.resetMsAt(nowMs)));
  return new Headers({
    'x-ratelimit-limit-requests': String(Math.floor(quotaRatePerMsAt(scenario, nowMs) * 60_000)),
    'x-ratelimit-remaining-requests': String(Math.floor(quota.bucket.tokensAt(nowMs) + 1e-9)),
    'x-ratelimit-reset-requests': resetMs < 1_000 ? `${resetMs}ms` : `${(resetMs / 1_000).toFixed(3)}s`,
  });
}

/** Drives the scenario's second client (if any) on the clock, against the same bucket. */
function startOtherClient(scenario: GridScenario, quota: GridQuota, elapsedMs: () => number): { stop(): void } {
  if (scenario.otherClientFromMs === undefined) return { stop() {} };
  const client = new SecondClient(scenario);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    timer = setTimeout(() => {
      client.act(elapsedMs(), quota.bucket);
      schedule();
    }, Math.max(0, client.nextEventMs - elapsedMs()));
  };
  schedule();
  return {
    stop() {
      clearTimeout(timer);
    },
  };
}
