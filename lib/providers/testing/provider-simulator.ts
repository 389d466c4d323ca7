import { geminiResponses, startFakeGeminiServer } from './fake-gemini-server';
import type { FakeHttpServer, RecordedRequest, ScriptedResponse } from './fake-http-server';
import { openaiResponses, startFakeOpenAIServer } from './fake-openai-server';
import { imageModelLatency, sampleLatencyMs, seededRandom, type LatencyDistribution } from './latency-distribution';
import { createSimulatedQuota, type QuotaState } from './simulated-quota';
import { TINY_PNG_BASE64 } from './test-images';

/**
 * A provider under load, on 127.0.0.1: the Gemini `generateContent` or OpenAI images wire format
 * (the fakes' real shapes), a quota (requests per minute as a token bucket, and requests in flight),
 * latency drawn from a distribution, 429s carrying the provider's own retry hints when over quota
 * (RetryInfo for Gemini; `retry-after`, `retry-after-ms` and `x-ratelimit-*` for OpenAI), and
 * injectable 5xx / overload / timeouts. Counts what it accepted and rejected.
 *
 * Quota and latency are given in simulated time; `timeFactor` shrinks them to real time (0.01 turns
 * a 9 s call into 90 ms and 60 requests per minute into 6000), so a benchmark of hours runs in
 * seconds. Hints and headers are in real time: the client sees a consistent, faster provider.
 */

export type SimulatedWire = 'gemini' | 'openai';

export interface SimulatedQuotaOptions {
  /** Requests accepted per simulated minute. @default unlimited */
  requestsPerMinute?: number;
  /** Requests in flight at once. @default unlimited */
  maxConcurrent?: number;
  /** Requests the bucket lets start back to back. @default 5 seconds' worth of the rate, at least 2 */
  burstRequests?: number;
}

export interface SimulatedFaults {
  /** Share of accepted calls that end in a 500 after their latency. @default 0 */
  serverErrorRate?: number;
  /** Share of calls answered at once with a 503 "overloaded" (before the quota). @default 0 */
  overloadedRate?: number;
  /** Share of accepted calls that never answer: the connection is dropped after `hangMs`. @default 0 */
  timeoutRate?: number;
  /** How long a timed-out call hangs, in simulated milliseconds. @default 600000 */
  hangMs?: number;
}

export interface ProviderSimulatorOptions {
  wire: SimulatedWire;
  quota?: SimulatedQuotaOptions;
  /** @default `imageModelLatency` (log-normal, median 9 s) */
  latency?: LatencyDistribution;
  /** Real milliseconds per simulated millisecond. @default 1 */
  timeFactor?: number;
  faults?: SimulatedFaults;
  /**
   * How a request over the concurrency cap is refused: a 429 (with a hint of `concurrencyRetryAfterMs`)
   * or a 503 overload. @default 'rate_limited'
   */
  concurrencyRejection?: 'rate_limited' | 'overloaded';
  /** Retry hint on a 429 for too many requests in flight, in simulated milliseconds. @default 1000 */
  concurrencyRetryAfterMs?: number;
  /** OpenAI: send `x-ratelimit-*-requests` on successes too, as OpenAI does. @default true */
  isSendingRateLimitHeaders?: boolean;
  /**
   * OpenAI: model ids the fake accepts besides the current ones (`startFakeOpenAIServer`'s
   * `extraModels`); any other retired or unknown id gets a 404 `model_not_found`. @default []
   */
  extraModels?: readonly string[];
  /** The image each success carries, base64. @default a 2x2 PNG */
  imageBase64?: string;
  /** Seed of the random source (latencies, faults). @default 1 */
  seed?: number;
}

export interface SimulatorStats {
  /** Requests received on the generation route. */
  requests: number;
  /** Admitted by the quota. */
  accepted: number;
  /** Answered with an image. */
  succeeded: number;
  /** 429s, both reasons. */
  rateLimited: number;
  rateLimitedForRate: number;
  rateLimitedForConcurrency: number;
  /** 503s (injected, or the concurrency cap with `concurrencyRejection: 'overloaded'`). */
  overloaded: number;
  serverErrors: number;
  timeouts: number;
  inFlight: number;
  peakInFlight: number;
  /** Mean latency of the calls that succeeded, in simulated milliseconds (0 before any). */
  meanLatencyMs: number;
  /**
   * Per API key (Gemini's `x-goog-api-key`, OpenAI's bearer token): requests received, and calls
   * accepted and not yet answered. A test that gives each client process a key of its own can tell
   * whose calls are in flight (the quota is still one for all of them, as for one key).
   */
  byKey: Record<string, { requests: number; inFlight: number }>;
  /** When the first and the last accepted call arrived (`performance.now()`, real ms); undefined before any. */
  firstAcceptedAtMs?: number;
  lastAcceptedAtMs?: number;
}

export interface ProviderSimulator {
  /** What the adapter's base URL option receives (`/v1` appended for OpenAI). */
  readonly baseUrl: string;
  readonly wire: SimulatedWire;
  /** The underlying fake: every request it received. */
  readonly server: FakeHttpServer;
  stats(): SimulatorStats;
  /** The quota right now, in real time. */
  quotaState(): QuotaState;
  /** Stops the server; calls still in flight are dropped. */
  close(): Promise<void>;
}

export async function startProviderSimulator(options: ProviderSimulatorOptions): Promise<ProviderSimulator> {
  const { wire, quota = {}, faults = {}, timeFactor = 1 } = options;
  if (!(timeFactor > 0)) throw new RangeError(`timeFactor must be > 0, got ${timeFactor}`);
  const latency = options.latency ?? imageModelLatency;
  // Two streams: the n-th accepted call draws the same latency in every run, whatever was rejected before it.
  const latencyRandom = seededRandom(options.seed ?? 1);
  const faultRandom = seededRandom((options.seed ?? 1) + 0x9e3779b9);
  const isFault = (rate: number | undefined) => (rate ?? 0) > 0 && faultRandom() < (rate ?? 0);
  const imageBase64 = options.imageBase64 ?? TINY_PNG_BASE64;
  const toRealMs = (simulatedMs: number) => simulatedMs * timeFactor;
  const simulatedQuota = createSimulatedQuota({
    ...(quota.requestsPerMinute === undefined ? {} : { requestsPerMinute: quota.requestsPerMinute / timeFactor }),
    // The burst in requests, not in time (see `defaultBurstRequests`).
    ...(quota.requestsPerMinute === undefined && quota.burstRequests === undefined
      ? {}
      : { burstRequests: quota.burstRequests ?? defaultBurstRequests(quota.requestsPerMinute ?? 0) }),
    ...(quota.maxConcurrent === undefined ? {} : { maxConcurrent: quota.maxConcurrent }),
  });
  const responses = wire === 'gemini' ? geminiAnswers(simulatedQuota.state) : openaiAnswers(simulatedQuota.state, options.isSendingRateLimitHeaders ?? true);
  const counters = { requests: 0, accepted: 0, succeeded: 0, rateLimitedForRate: 0, rateLimitedForConcurrency: 0, overloaded: 0, serverErrors: 0, timeouts: 0 };
  let peakInFlight = 0;
  let firstAcceptedAtMs: number | undefined;
  let lastAcceptedAtMs: number | undefined;
  let latencySumMs = 0;
  const pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let isClosed = false;

  const wait = (realMs: number) =>
    new Promise<void>((resolve) => {
      if (isClosed) return resolve();
      const entry = { timer: setTimeout(() => (pending.delete(entry), resolve()), realMs), resolve };
      pending.add(entry);
    });

  const byKey = new Map<string, { requests: number; inFlight: number }>();
  const answer = async (request: RecordedRequest): Promise<ScriptedResponse> => {
    counters.requests += 1;
    const key = request.headers['x-goog-api-key'] ?? request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const ofKey = byKey.get(key) ?? { requests: 0, inFlight: 0 };
    byKey.set(key, ofKey);
    ofKey.requests += 1;
    if (isFault(faults.overloadedRate)) {
      counters.overloaded += 1;
      return responses.overloaded();
    }
    const admission = simulatedQuota.admit();
    if (!admission.isAccepted) {
      if (admission.reason === 'rate') {
        counters.rateLimitedForRate += 1;
        return responses.rateLimited(admission.retryAfterMs);
      }
      if ((options.concurrencyRejection ?? 'rate_limited') === 'overloaded') {
        counters.overloaded += 1;
        return responses.overloaded();
      }
      counters.rateLimitedForConcurrency += 1;
      return responses.rateLimited(Math.ceil(toRealMs(options.concurrencyRetryAfterMs ?? 1_000)));
    }
    counters.accepted += 1;
    lastAcceptedAtMs = performance.now();
    firstAcceptedAtMs ??= lastAcceptedAtMs;
    peakInFlight = Math.max(peakInFlight, simulatedQuota.state().inFlight);
    ofKey.inFlight += 1;
    try {
      if (isFault(faults.timeoutRate)) {
        counters.timeouts += 1;
        await wait(toRealMs(faults.hangMs ?? 600_000));
        return { status: 200, isConnectionDropped: true };
      }
      const latencyMs = sampleLatencyMs(latency, latencyRandom);
      await wait(toRealMs(latencyMs));
      if (isFault(faults.serverErrorRate)) {
        counters.serverErrors += 1;
        return responses.serverError();
      }
      counters.succeeded += 1;
      latencySumMs += latencyMs;
      return responses.image(imageBase64);
    } finally {
      ofKey.inFlight -= 1;
      admission.release();
    }
  };

  const server =
    wire === 'gemini' ? await startFakeGeminiServer({ extraModels: options.extraModels }) : await startFakeOpenAIServer({ extraModels: options.extraModels });
  server.respondAlways(answer);

  return {
    baseUrl: server.baseUrl,
    wire,
    server,
    stats: () => ({
      ...counters,
      rateLimited: counters.rateLimitedForRate + counters.rateLimitedForConcurrency,
      inFlight: simulatedQuota.state().inFlight,
      peakInFlight,
      meanLatencyMs: counters.succeeded === 0 ? 0 : latencySumMs / counters.succeeded,
      byKey: Object.fromEntries([...byKey].map(([key, counts]) => [key, { ...counts }])),
      ...(firstAcceptedAtMs === undefined ? {} : { firstAcceptedAtMs, lastAcceptedAtMs }),
    }),
    quotaState: () => simulatedQuota.state(),
    async close() {
      isClosed = true;
      for (const entry of pending) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      pending.clear();
      await server.close();
    },
  };
}

interface WireAnswers {
  image(base64: string): ScriptedResponse;
  rateLimited(retryAfterMs: number): ScriptedResponse;
  overloaded(): ScriptedResponse;
  serverError(): ScriptedResponse;
}

function geminiAnswers(state: () => QuotaState): WireAnswers {
  return {
    image: (base64) => geminiResponses.image({ base64 }),
    rateLimited(retryAfterMs) {
      const seconds = (Math.max(1, retryAfterMs) / 1_000).toFixed(3).replace(/\.?0+$/, '');
      const limit = state().limitRequestsPerMinute;
      return geminiResponses.rateLimited({
        retryDelay: `${seconds}s`,
        quotaValue: Number.isFinite(limit) ? String(Math.floor(limit)) : 'unlimited',
        message: `Resource has been exhausted (e.g. check quota). Please retry in ${seconds}s.`,
      });
    },
    overloaded: () => geminiResponses.overloaded(),
    serverError: () => geminiResponses.internal(),
  };
}

function openaiAnswers(state: () => QuotaState, isSendingRateLimitHeaders: boolean): WireAnswers {
  const rateLimitHeaders = (): Record<string, string> => {
    const { limitRequestsPerMinute, remainingRequests, resetRequestsMs } = state();
    if (!Number.isFinite(limitRequestsPerMinute)) return {};
    return {
      'x-ratelimit-limit-requests': String(Math.floor(limitRequestsPerMinute)),
      'x-ratelimit-remaining-requests': String(remainingRequests),
      'x-ratelimit-reset-requests': goDuration(resetRequestsMs),
    };
  };
  return {
    image(base64) {
      const response = openaiResponses.b64Json({ base64 });
      return isSendingRateLimitHeaders ? { ...response, headers: { ...response.headers, ...rateLimitHeaders() } } : response;
    },
    rateLimited(retryAfterMs) {
      const headers = rateLimitHeaders();
      const hintMs = Math.max(1, retryAfterMs);
      return openaiResponses.rateLimited({
        retryAfter: (hintMs / 1_000).toFixed(3).replace(/\.?0+$/, ''),
        retryAfterMs: String(hintMs),
        limitRequests: headers['x-ratelimit-limit-requests'] ?? '0',
        remainingRequests: headers['x-ratelimit-remaining-requests'] ?? '0',
        resetRequests: headers['x-ratelimit-reset-requests'] ?? goDuration(hintMs),
      });
    },
    overloaded: () => openaiResponses.overloaded(),
    serverError: () => openaiResponses.serverError(),
  };
}

/** OpenAI's reset notation (Go durations): `"61ms"`, `"1.5s"`. */
function goDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.ceil(ms))}ms`;
  return `${(ms / 1_000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/**
 * The bucket size when none is given: 5 seconds' worth of the rate, and at least 2 (a bucket of 1
 * refuses any two requests that network jitter brings closer than the exact interval).
 */
export function defaultBurstRequests(requestsPerMinute: number): number {
  return Math.max(2, Math.round(requestsPerMinute / 12));
}
