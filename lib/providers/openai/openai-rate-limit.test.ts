import { afterEach, describe, expect, it } from 'vitest';
import { openaiResponses, startFakeOpenAIServer, type FakeOpenAIServer } from '../testing';
import { rateLimitInfoOf } from './classify-openai-error';
import { defaultOpenAIModelId } from './openai-models';
import { createOpenAIProvider } from './openai-provider';

describe('rateLimitInfoOf', () => {
  it('reads the request quota from the x-ratelimit-*-requests headers', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
    });
    expect(rateLimitInfoOf(headers)).toEqual({ limitRequestsPerMinute: 60, remainingRequests: 59, resetRequestsMs: 1_000 });
  });

  it('keeps what is valid and is undefined without any', () => {
    expect(rateLimitInfoOf(new Headers({ 'x-ratelimit-limit-requests': 'many', 'x-ratelimit-remaining-requests': '0' }))).toEqual({
      remainingRequests: 0,
    });
    expect(rateLimitInfoOf(new Headers({ 'x-ratelimit-limit-requests': '0' }))).toBeUndefined();
    expect(rateLimitInfoOf(new Headers())).toBeUndefined();
    expect(rateLimitInfoOf(undefined)).toBeUndefined();
  });
});

describe('openai adapter: the quota reported with an image', () => {
  let server: FakeOpenAIServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it('returns it as rateLimit, for adaptive pacing; leaves it out when the server sends none', async () => {
    server = await startFakeOpenAIServer();
    const provider = createOpenAIProvider({ apiKey: 'sk-test', baseUrl: server.baseUrl, model: defaultOpenAIModelId });
    const withHeaders = openaiResponses.b64Json();
    server.respondWith(
      { ...withHeaders, headers: { 'x-ratelimit-limit-requests': '250', 'x-ratelimit-remaining-requests': '249', 'x-ratelimit-reset-requests': '240ms' } },
      openaiResponses.b64Json(),
    );
    const reported = await provider.generate({ prompt: 'a fox', index: 1 });
    expect(reported.rateLimit).toEqual({ limitRequestsPerMinute: 250, remainingRequests: 249, resetRequestsMs: 240 });
    const silent = await provider.generate({ prompt: 'a fox', index: 2 });
    expect(silent).not.toHaveProperty('rateLimit');
  });
});
