import { afterEach, describe, expect, it } from 'vitest';
import { isProviderError, type ImageProvider } from '@/lib/core';
import { createGeminiProvider, defaultGeminiModelId } from '../gemini';
import { createOpenAIProvider, defaultOpenAIModelId } from '../openai';
import { startProviderSimulator, type ProviderSimulator, type ProviderSimulatorOptions } from './provider-simulator';
import { tinyPng } from './test-images';

// Real HTTP on 127.0.0.1, through the real adapters; small time factors (0.001 makes a simulated
// minute last 60 ms) keep the real waits to milliseconds.
const simulators: ProviderSimulator[] = [];
afterEach(async () => {
  await Promise.all(simulators.splice(0).map((simulator) => simulator.close()));
});

async function start(options: ProviderSimulatorOptions): Promise<{ simulator: ProviderSimulator; provider: ImageProvider }> {
  const simulator = await startProviderSimulator(options);
  simulators.push(simulator);
  const provider =
    options.wire === 'gemini'
      ? createGeminiProvider({ apiKey: 'simulator-key', baseUrl: simulator.baseUrl, model: defaultGeminiModelId, timeoutMs: 5_000 })
      : createOpenAIProvider({ apiKey: 'simulator-key', baseUrl: simulator.baseUrl, model: defaultOpenAIModelId, timeoutMs: 5_000 });
  return { simulator, provider };
}

async function outcomeOf(provider: ImageProvider) {
  try {
    return { image: await provider.generate({ prompt: 'a fox', index: 1 }) };
  } catch (error) {
    if (!isProviderError(error)) throw error;
    return { error };
  }
}

describe('startProviderSimulator', () => {
  it('Gemini wire: a burst, then 429 RESOURCE_EXHAUSTED with RetryInfo saying when the next token comes', async () => {
    // 6 per simulated minute, a burst of 2: at 0.05, a token every 10 simulated seconds = 500 real ms.
    const { simulator, provider } = await start({ wire: 'gemini', quota: { requestsPerMinute: 6, burstRequests: 2 }, latency: { kind: 'fixed', ms: 0 }, timeFactor: 0.05 });
    const [first, second, third] = [await outcomeOf(provider), await outcomeOf(provider), await outcomeOf(provider)];
    expect(first.image?.bytes).toEqual(tinyPng());
    expect(second.image).toBeDefined();
    expect(third.error).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect(third.error?.retryAfterMs).toBeGreaterThan(0);
    expect(third.error?.retryAfterMs).toBeLessThanOrEqual(500);
    expect(simulator.stats()).toMatchObject({ requests: 3, accepted: 2, succeeded: 2, rateLimited: 1, rateLimitedForRate: 1 });
    await new Promise((resolve) => setTimeout(resolve, (third.error?.retryAfterMs ?? 0) + 2));
    expect((await outcomeOf(provider)).image).toBeDefined();
  });

  it('OpenAI wire: x-ratelimit-* on every answer (the adapter reports them), retry-after on a 429', async () => {
    const { simulator, provider } = await start({ wire: 'openai', quota: { requestsPerMinute: 6, burstRequests: 2 }, latency: { kind: 'fixed', ms: 0 }, timeFactor: 0.05 });
    const first = await outcomeOf(provider);
    // 6 per simulated minute is 120 per real minute at this time factor.
    expect(first.image?.rateLimit).toMatchObject({ limitRequestsPerMinute: 120, remainingRequests: 1 });
    await outcomeOf(provider);
    const refused = await outcomeOf(provider);
    expect(refused.error).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect(refused.error?.retryAfterMs).toBeGreaterThan(0);
    expect(refused.error?.retryAfterMs).toBeLessThanOrEqual(500);
    expect(simulator.server.requests).toHaveLength(3);
  });

  it('OpenAI wire: a shut-down model gets 404 model_not_found unless the simulator takes it as an extra model', async () => {
    const strict = await startProviderSimulator({ wire: 'openai', latency: { kind: 'fixed', ms: 0 } });
    const lenient = await startProviderSimulator({ wire: 'openai', latency: { kind: 'fixed', ms: 0 }, extraModels: ['gpt-image-1'] });
    simulators.push(strict, lenient);
    const retired = (simulator: ProviderSimulator) => createOpenAIProvider({ apiKey: 'simulator-key', baseUrl: simulator.baseUrl, model: 'gpt-image-1', timeoutMs: 5_000 });
    expect((await outcomeOf(retired(strict))).error).toMatchObject({ kind: 'not_found', status: 404 });
    expect(strict.stats().requests).toBe(0);
    expect((await outcomeOf(retired(lenient))).image?.bytes).toEqual(tinyPng());
  });

  it('counts requests and calls in flight per API key, under one quota for all keys', async () => {
    const simulator = await startProviderSimulator({ wire: 'gemini', quota: { maxConcurrent: 2 }, latency: { kind: 'fixed', ms: 200 } });
    simulators.push(simulator);
    const withKey = (apiKey: string) => createGeminiProvider({ apiKey, baseUrl: simulator.baseUrl, model: defaultGeminiModelId, timeoutMs: 5_000 });
    const calls = [outcomeOf(withKey('key-a')), outcomeOf(withKey('key-b'))];
    await simulator.server.waitForRequests(2);
    expect(simulator.stats().byKey).toEqual({ 'key-a': { requests: 1, inFlight: 1 }, 'key-b': { requests: 1, inFlight: 1 } });
    // The quota is one for both keys: a third call over the cap of 2 is refused, whoever makes it.
    expect((await outcomeOf(withKey('key-a'))).error).toMatchObject({ kind: 'rate_limited' });
    await Promise.all(calls);
    expect(simulator.stats().byKey).toEqual({ 'key-a': { requests: 2, inFlight: 0 }, 'key-b': { requests: 1, inFlight: 0 } });
  });

  it('refuses calls over the concurrency cap, counts them and the peak in flight', async () => {
    const { simulator, provider } = await start({ wire: 'gemini', quota: { requestsPerMinute: 6_000, maxConcurrent: 2 }, latency: { kind: 'fixed', ms: 50_000 }, timeFactor: 0.001 });
    const outcomes = await Promise.all([outcomeOf(provider), outcomeOf(provider), outcomeOf(provider), outcomeOf(provider)]);
    expect(outcomes.filter((outcome) => outcome.image)).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome.error?.kind === 'rate_limited')).toHaveLength(2);
    expect(simulator.stats()).toMatchObject({ accepted: 2, rateLimitedForConcurrency: 2, peakInFlight: 2, inFlight: 0 });
    expect(simulator.stats().meanLatencyMs).toBe(50_000);
  });

  it('can answer the concurrency cap with 503 overloaded instead', async () => {
    const { provider } = await start({ wire: 'openai', quota: { requestsPerMinute: 6_000, maxConcurrent: 1 }, concurrencyRejection: 'overloaded', latency: { kind: 'fixed', ms: 20_000 }, timeFactor: 0.001 });
    const outcomes = await Promise.all([outcomeOf(provider), outcomeOf(provider)]);
    expect(outcomes.map((outcome) => outcome.error?.kind ?? 'image').sort()).toEqual(['image', 'overloaded']);
  });

  it('injects 500s, 503s and timeouts', async () => {
    const failing = await start({ wire: 'gemini', faults: { serverErrorRate: 1 }, latency: { kind: 'fixed', ms: 0 }, timeFactor: 0.001 });
    expect((await outcomeOf(failing.provider)).error).toMatchObject({ kind: 'transient', status: 500 });
    const overloaded = await start({ wire: 'openai', faults: { overloadedRate: 1 }, timeFactor: 0.001 });
    expect((await outcomeOf(overloaded.provider)).error).toMatchObject({ kind: 'overloaded', status: 503 });
    const hanging = await start({ wire: 'gemini', faults: { timeoutRate: 1, hangMs: 10_000 }, timeFactor: 0.001 });
    expect((await outcomeOf(hanging.provider)).error?.kind).toMatch(/transient|timeout/);
    expect(failing.simulator.stats().serverErrors).toBe(1);
    expect(overloaded.simulator.stats().overloaded).toBe(1);
    expect(hanging.simulator.stats().timeouts).toBe(1);
  });

  it('draws latencies from the distribution, scaled by the time factor', async () => {
    const { simulator, provider } = await start({ wire: 'gemini', latency: { kind: 'fixed', ms: 40_000 }, timeFactor: 0.001 });
    const startedAtMs = performance.now();
    await outcomeOf(provider);
    const elapsedMs = performance.now() - startedAtMs;
    expect(elapsedMs).toBeGreaterThanOrEqual(39);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(simulator.stats().meanLatencyMs).toBe(40_000);
  });
});
