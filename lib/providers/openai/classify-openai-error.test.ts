import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { ProviderError, type ProviderErrorKind } from '@/lib/core';
import { classifyOpenAIError, openAIKindForStatus, retryHintOf } from './classify-openai-error';

const apiKey = 'sk-proj-UnitTestKey0123456789abcdefghij';
const now = Date.parse('2026-01-01T00:00:00Z');

/** An APIError exactly as the SDK builds it from a response. */
function apiError(status: number, error: { message: string; type?: string; code?: string | null }, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, { error: { type: 'invalid_request_error', param: null, code: null, ...error } }, undefined, new Headers(headers));
}

function classified(error: unknown, signal?: AbortSignal): ProviderError {
  const result = classifyOpenAIError(error, { signal, secrets: [apiKey], now: () => now });
  expect(result).toBeInstanceOf(ProviderError);
  return result as ProviderError;
}

describe('classifyOpenAIError: API errors', () => {
  it.each<[Record<string, string>, number | undefined]>([
    [{ 'retry-after': '7' }, 7_000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '1500' }, 1_500],
    [{ 'retry-after-ms': '1500', 'retry-after': '7' }, 1_500],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, 0],
    [{ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1.5s' }, 1_500],
    [{ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1m30s' }, 90_000],
    [{ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20ms' }, 20],
    [{ 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-reset-requests': '12s' }, undefined],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('429 with headers %j → rate_limited, retryAfterMs %s', (headers, retryAfterMs) => {
    const error = classified(apiError(429, { message: 'Rate limit reached for gpt-image-1.', type: 'requests', code: 'rate_limit_exceeded' }, headers));
    expect(error).toMatchObject({ kind: 'rate_limited', isRetryable: true, status: 429, details: 'Rate limit reached for gpt-image-1.' });
    expect(error.retryAfterMs).toBe(retryAfterMs);
    expect(error.message).toBe('OpenAI API error 429 rate_limit_exceeded');
  });

  it('keeps the request quota a 429 reports (which limit refused the call), and none when it reports none', () => {
    const headers = { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '4', 'x-ratelimit-reset-requests': '3.5s', 'retry-after': '1' };
    const error = classified(apiError(429, { message: 'Too many requests in flight.', type: 'requests', code: 'rate_limit_exceeded' }, headers));
    expect(error.rateLimit).toEqual({ limitRequestsPerMinute: 60, remainingRequests: 4, resetRequestsMs: 3_500 });
    const bare = classified(apiError(429, { message: 'Rate limit reached.', type: 'requests', code: 'rate_limit_exceeded' }, { 'retry-after': '1' }));
    expect(bare.rateLimit).toBeUndefined();
    expect(classified(apiError(500, { message: 'boom', type: 'server_error' }, headers)).rateLimit).toBeUndefined();
  });

  it.each([
    ['code and type insufficient_quota', { type: 'insufficient_quota', code: 'insufficient_quota' }],
    ['code credit_balance_exhausted', { type: 'billing_error', code: 'credit_balance_exhausted' }],
    ['type insufficient_quota without a code', { type: 'insufficient_quota', code: null }],
  ])('treats a 429 with %s as quota_exhausted: not retried, check billing', (_, fields) => {
    const error = classified(apiError(429, { message: 'You exceeded your current quota.', ...fields }, { 'retry-after': '7' }));
    expect(error).toMatchObject({ kind: 'quota_exhausted', isRetryable: false, status: 429, retryAfterMs: undefined, details: 'You exceeded your current quota.' });
    expect(error.message).toMatch(/^No OpenAI credit or quota left: check the plan and billing/);
    expect(error.rateLimit).toBeUndefined();
  });

  const statusCases: [number, string | null, ProviderErrorKind][] = [
    [400, 'content_policy_violation', 'safety_blocked'],
    [400, 'moderation_blocked', 'safety_blocked'],
    [400, 'invalid_value', 'invalid_request'],
    [400, null, 'invalid_request'],
    [401, 'invalid_api_key', 'auth'],
    [403, null, 'auth'],
    [404, 'model_not_found', 'not_found'],
    [409, null, 'transient'],
    [422, null, 'invalid_request'],
    [500, null, 'transient'],
    [502, null, 'transient'],
    [503, null, 'overloaded'],
    [504, null, 'transient'],
  ];
  it.each(statusCases)('%d code %s → %s', (status, code, kind) => {
    const error = classified(apiError(status, { message: 'provider says no', code }));
    expect(error).toMatchObject({ kind, status, details: 'provider says no', retryAfterMs: undefined });
  });

  it('reads a non-JSON error body (the SDK puts the raw text in its message)', () => {
    const error = classified(APIError.generate(502, undefined, '<html><body><h1>502 Bad Gateway</h1></body></html>', new Headers()));
    expect(error).toMatchObject({ kind: 'transient', status: 502, details: '502 Bad Gateway' });
  });

  it('exposes the status table for other HTTP calls', () => {
    expect(openAIKindForStatus(429)).toBe('rate_limited');
    expect(openAIKindForStatus(429, 'insufficient_quota')).toBe('quota_exhausted');
    expect(openAIKindForStatus(429, undefined, 'insufficient_quota')).toBe('quota_exhausted');
    expect(openAIKindForStatus(400, 'moderation_blocked')).toBe('safety_blocked');
    expect(openAIKindForStatus(418)).toBe('invalid_request');
  });
});

describe('classifyOpenAIError: aborts, timeouts, network', () => {
  it('returns the caller’s abort reason as is once its signal aborted', () => {
    const controller = new AbortController();
    controller.abort();
    const result = classifyOpenAIError(new APIUserAbortError(), { signal: controller.signal });
    expect(result).toBe(controller.signal.reason);
    expect(result).not.toBeInstanceOf(ProviderError);
    expect(result.name).toBe('AbortError');
    expect(classifyOpenAIError(apiError(500, { message: 'raced' }), { signal: controller.signal })).toBe(controller.signal.reason);
  });

  it('turns an APIUserAbortError without an aborted signal into an AbortError', () => {
    const result = classifyOpenAIError(new APIUserAbortError());
    expect(result).not.toBeInstanceOf(ProviderError);
    expect(result.name).toBe('AbortError');
  });

  it('classifies APIConnectionTimeoutError and a TimeoutError (download) as timeout', () => {
    expect(classified(new APIConnectionTimeoutError())).toMatchObject({ kind: 'timeout', isRetryable: true, details: 'Request timed out.' });
    expect(classified(new DOMException('The operation was aborted due to timeout', 'TimeoutError')).kind).toBe('timeout');
  });

  it('classifies APIConnectionError as transient, naming the network code', () => {
    const cause = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    const error = classified(new APIConnectionError({ cause }));
    expect(error).toMatchObject({ kind: 'transient', message: 'Network error calling OpenAI', details: 'ECONNREFUSED: Connection error.' });
  });

  it('classifies the SDK’s own errors (an OpenAIError that is no APIError) as invalid_request', () => {
    const error = classified(new OpenAIError('Expected a value to be given but received undefined instead.'));
    expect(error).toMatchObject({ kind: 'invalid_request', isRetryable: false, details: 'Expected a value to be given but received undefined instead.' });
  });

  it('classifies anything thrown before the request was sent as invalid_request, except an abort', () => {
    const invalidHeader = new TypeError('Headers.append: "Bearer sk-\nbad" is an invalid header value.');
    expect(classifyOpenAIError(invalidHeader, { isRequestSent: false })).toMatchObject({ kind: 'invalid_request', isRetryable: false });
    expect(classifyOpenAIError(invalidHeader, { isRequestSent: true })).toMatchObject({ kind: 'transient' });
    const controller = new AbortController();
    controller.abort();
    expect(classifyOpenAIError(new APIUserAbortError(), { signal: controller.signal, isRequestSent: false })).toBe(controller.signal.reason);
  });

  it('classifies a bare fetch failure, a malformed body and unknown errors as transient', () => {
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    expect(classified(reset)).toMatchObject({ kind: 'transient', details: 'ECONNRESET: fetch failed' });
    expect(classified(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({ kind: 'transient', message: 'OpenAI answered with a malformed body' });
    const unknown = new Error('something odd');
    expect(classified(unknown)).toMatchObject({ kind: 'transient', cause: unknown });
  });
});

describe('classifyOpenAIError: details are safe to show', () => {
  it('scrubs the API key and anything shaped like an OpenAI key, keeping masked keys', () => {
    const error = classified(
      apiError(401, { message: `Incorrect API key provided: ${apiKey}. Also sk-another0123456789abcdefgh. Masked: sk-abc***wxyz.`, code: 'invalid_api_key' }),
    );
    expect(error.details).toBe('Incorrect API key provided: [redacted]. Also [redacted]. Masked: sk-abc***wxyz.');
  });

  it('drops base64 runs and caps the length', () => {
    const base64 = Buffer.alloc(900, 3).toString('base64');
    const error = classified(apiError(400, { message: `bad image ${base64} ${'x '.repeat(400)}` }));
    expect(error.details!.startsWith('bad image […] x x')).toBe(true);
    expect(error.details!.length).toBe(300);
  });
});

describe('retryHintOf: the wait', () => {
  it('returns undefined without headers', () => {
    expect(retryHintOf(undefined)).toBeUndefined();
  });

  it('rounds fractional milliseconds up', () => {
    expect(retryHintOf(new Headers({ 'retry-after-ms': '12.2' }))?.ms).toBe(13);
  });
});

describe('retryHintOf', () => {
  it('says a hint in whole seconds may be a second off either way, one to the millisecond not', () => {
    const now = () => Date.parse('2026-12-01T00:00:00Z');
    expect(retryHintOf(new Headers({ 'retry-after-ms': '1000' }))).toEqual({ ms: 1_000, slackMs: 0 });
    expect(retryHintOf(new Headers({ 'retry-after': '3' }))).toEqual({ ms: 3_000, slackMs: 1_000 });
    expect(retryHintOf(new Headers({ 'retry-after': '1.5' }))).toEqual({ ms: 1_500, slackMs: 0 });
    expect(retryHintOf(new Headers({ 'retry-after': 'Tue, 01 Dec 2026 00:00:05 GMT' }), now)).toEqual({ ms: 5_000, slackMs: 1_000 });
    expect(retryHintOf(new Headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '12s' }))).toEqual({ ms: 12_000, slackMs: 1_000 });
    expect(retryHintOf(new Headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20ms' }))).toEqual({ ms: 20, slackMs: 0 });
  });

  it('goes on the 429 as retryAfterSlackMs, left out when the hint is to the millisecond', () => {
    const refused = (headers: Record<string, string>) => classified(apiError(429, { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }, headers));
    expect(refused({ 'retry-after': '2' })).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2_000, retryAfterSlackMs: 1_000 });
    expect(refused({ 'retry-after-ms': '2000' }).retryAfterSlackMs).toBeUndefined();
  });
});
