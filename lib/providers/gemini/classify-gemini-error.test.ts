import { ApiError } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { ProviderError, type ProviderErrorKind } from '@/lib/core';
import { geminiResponses } from '../testing';
import {
  classifyGeminiError,
  classifyGeminiNoImage,
  nextPacificMidnightMs,
  parseDurationMs,
  type ClassifyGeminiOptions,
} from './classify-gemini-error';

const apiKey = 'AIzaSyUnitTestKey_abcdefghijklmnopqrstu';

/** An ApiError exactly as the SDK builds it: the JSON body, stringified, as the message. */
function apiError(status: number, error: Record<string, unknown>): ApiError {
  return new ApiError({ status, message: JSON.stringify({ error: { code: status, ...error } }) });
}

function retryInfo(retryDelay: unknown) {
  return { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay };
}

function classified(error: unknown, signal?: AbortSignal, options: ClassifyGeminiOptions = {}): ProviderError {
  const result = classifyGeminiError(error, { signal, secrets: [apiKey], ...options });
  expect(result).toBeInstanceOf(ProviderError);
  return result as ProviderError;
}

describe('classifyGeminiError: API errors', () => {
  it.each([
    ['53s', 53_000],
    ['1.5s', 1_500],
    ['0.5s', 500],
    ['1.1s', 1_100],
    ['0.000001s', 1],
    [{ seconds: '2', nanos: 500_000_000 }, 2_500],
  ])('429 with RetryInfo retryDelay %j → rate_limited, retryAfterMs %d', (retryDelay, expectedMs) => {
    const error = classified(
      apiError(429, {
        message: 'You exceeded your current quota.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }] },
          retryInfo(retryDelay),
        ],
      }),
    );
    expect(error).toMatchObject({ kind: 'rate_limited', isRetryable: true, status: 429, retryAfterMs: expectedMs });
    expect(error.details).toBe('You exceeded your current quota.');
    expect(error.message).toBe('Gemini API error 429 RESOURCE_EXHAUSTED');
  });

  it('falls back to "Please retry in 53.0s." in the message when RetryInfo is absent', () => {
    const error = classified(apiError(429, { message: 'Quota exceeded.\nPlease retry in 53.0s.', status: 'RESOURCE_EXHAUSTED' }));
    expect(error.retryAfterMs).toBe(53_000);
  });

  it('takes the message’s fraction when RetryInfo is its whole seconds (as recorded: "16s" beside "Please retry in 16.34553186s.")', () => {
    const quotaText = 'You exceeded your current quota.\nPlease retry in 16.34553186s.';
    const refined = classified(apiError(429, { message: quotaText, status: 'RESOURCE_EXHAUSTED', details: [retryInfo('16s')] }));
    expect(refined.retryAfterMs).toBe(16_346);
    expect(refined.retryAfterSlackMs).toBeUndefined();
    // Whole seconds alone may be a second off; a fraction is to the millisecond.
    expect(classified(apiError(429, { message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED', details: [retryInfo('16s')] }))).toMatchObject({ retryAfterMs: 16_000, retryAfterSlackMs: 1_000 });
    expect(classified(apiError(429, { message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED', details: [retryInfo('1.5s')] })).retryAfterSlackMs).toBeUndefined();
    // A message a whole second or more away from RetryInfo says something else: RetryInfo stands.
    expect(classified(apiError(429, { message: 'Please retry in 17.2s.', status: 'RESOURCE_EXHAUSTED', details: [retryInfo('16s')] })).retryAfterMs).toBe(16_000);
  });

  it('prefers RetryInfo over the message and ignores an unparsable retryDelay', () => {
    expect(classified(apiError(429, { message: 'Please retry in 9s.', status: 'RESOURCE_EXHAUSTED', details: [retryInfo('4s')] })).retryAfterMs).toBe(4_000);
    expect(classified(apiError(429, { message: 'Please retry in 9s.', status: 'RESOURCE_EXHAUSTED', details: [retryInfo('soon')] })).retryAfterMs).toBe(9_000);
  });

  it('leaves retryAfterMs undefined when the provider gives no delay', () => {
    const error = classified(apiError(429, { message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' }));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('treats RESOURCE_EXHAUSTED as rate_limited whatever the status', () => {
    expect(classified(apiError(400, { message: 'x', status: 'RESOURCE_EXHAUSTED' })).kind).toBe('rate_limited');
  });

  const statusCases: [number, string | undefined, ProviderErrorKind][] = [
    [503, 'UNAVAILABLE', 'overloaded'],
    [500, 'INTERNAL', 'transient'],
    [502, undefined, 'transient'],
    [504, 'DEADLINE_EXCEEDED', 'transient'],
    [408, undefined, 'transient'],
    [400, 'INVALID_ARGUMENT', 'invalid_request'],
    [400, 'FAILED_PRECONDITION', 'invalid_request'],
    [401, 'UNAUTHENTICATED', 'auth'],
    [403, 'PERMISSION_DENIED', 'auth'],
    [404, 'NOT_FOUND', 'not_found'],
    [413, undefined, 'invalid_request'],
  ];
  it.each(statusCases)('%d %s → %s', (status, rpcStatus, kind) => {
    const error = classified(apiError(status, { message: 'provider says no', ...(rpcStatus ? { status: rpcStatus } : {}) }));
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.details).toBe('provider says no');
  });

  it('classifies 400 with ErrorInfo API_KEY_INVALID as auth', () => {
    const error = classified(
      apiError(400, {
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
      }),
    );
    expect(error).toMatchObject({ kind: 'auth', isRetryable: false, status: 400 });
  });

  it('reads a non-JSON error body the SDK wrapped, without its HTML', () => {
    const sdkMessage = JSON.stringify({ error: { message: '<html><body><h1>502 Bad Gateway</h1></body></html>', code: 502, status: 'Bad Gateway' } });
    const error = classified(new ApiError({ status: 502, message: sdkMessage }));
    expect(error).toMatchObject({ kind: 'transient', status: 502, details: '502 Bad Gateway' });
  });

  it('survives an ApiError whose message is not JSON at all', () => {
    const error = classified(new ApiError({ status: 503, message: 'upstream connect error' }));
    expect(error).toMatchObject({ kind: 'overloaded', status: 503, details: 'upstream connect error' });
  });
});

/** The ApiError the SDK throws for a scripted fake answer (its body, stringified). */
function apiErrorOf(response: { status: number; body?: unknown }): ApiError {
  return new ApiError({ status: response.status, message: JSON.stringify(response.body) });
}

function quotaFailure(...quotaIds: string[]) {
  return { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: quotaIds.map((quotaId) => ({ quotaId })) };
}

describe('classifyGeminiError: quotas that waiting seconds does not bring back', () => {
  // 2026-07-15 10:00 in Los Angeles (PDT, UTC-7): the quota returns at 2026-07-16 00:00 PDT.
  const julyMorningMs = Date.parse('2026-07-15T17:00:00Z');
  const now = () => julyMorningMs;

  it('the recorded free-tier 429 (per-day quota, limit: 0) → quota_exhausted, reset at Pacific midnight, no retry delay', () => {
    const error = classified(apiErrorOf(geminiResponses.freeTierDailyQuotaExhausted()), undefined, { now });
    expect(error).toMatchObject({ kind: 'quota_exhausted', isRetryable: false, status: 429, retryAfterMs: undefined });
    expect(error.resetsAtMs).toBe(Date.parse('2026-07-16T07:00:00Z'));
    expect(error.message).toBe(
      'Gemini gives this API key no daily quota for this model (limit: 0): enable billing on its project or choose another model',
    );
    expect(error.details).toContain('Gemini said: Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0');
  });

  it('a paid per-day 429 with a non-zero limit → quota_exhausted, the message says it is daily', () => {
    const error = classified(apiErrorOf(geminiResponses.dailyQuotaExhausted({ limit: 250 })), undefined, { now });
    expect(error).toMatchObject({ kind: 'quota_exhausted', status: 429, resetsAtMs: Date.parse('2026-07-16T07:00:00Z') });
    expect(error.message).toBe("Gemini's daily request quota for this model is used up; it resets at midnight Pacific time");
    expect(error.details).toContain('limit: 250');
    expect(error.details!.length).toBeLessThanOrEqual(300);
  });

  it('any PerDay quotaId among the violations is enough, whatever the message', () => {
    const error = classified(
      apiError(429, {
        message: 'Resource has been exhausted.',
        status: 'RESOURCE_EXHAUSTED',
        details: [quotaFailure('GenerateRequestsPerMinutePerProjectPerModel', 'GenerateRequestsPerDayPerProjectPerModel'), retryInfo('20s')],
      }),
      undefined,
      { now },
    );
    expect(error).toMatchObject({ kind: 'quota_exhausted', retryAfterMs: undefined, resetsAtMs: Date.parse('2026-07-16T07:00:00Z') });
  });

  it('limit: 0 on a per-minute quota → quota_exhausted (no quota at all), with no reset time', () => {
    const error = classified(
      apiError(429, {
        message: '* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: x\nPlease retry in 5s.',
        status: 'RESOURCE_EXHAUSTED',
        details: [quotaFailure('GenerateRequestsPerMinutePerProjectPerModel-FreeTier'), retryInfo('5s')],
      }),
      undefined,
      { now },
    );
    expect(error).toMatchObject({ kind: 'quota_exhausted', resetsAtMs: undefined, retryAfterMs: undefined });
    expect(error.message).toContain('no quota for this model (limit: 0)');
  });

  it('a per-minute quota with a limit like 10 or 100 stays rate_limited with its RetryInfo', () => {
    for (const limit of ['10', '100', '0.5']) {
      const error = classified(apiErrorOf(geminiResponses.rateLimited({ quotaValue: limit, retryDelay: '53s' })), undefined, { now });
      expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 53_000 });
      expect(error.resetsAtMs).toBeUndefined();
    }
  });
});

describe('nextPacificMidnightMs', () => {
  it.each([
    ['summer (PDT, UTC-7)', '2026-07-15T17:00:00Z', '2026-07-16T07:00:00Z'],
    ['one second before midnight PDT', '2026-07-16T06:59:59.999Z', '2026-07-16T07:00:00Z'],
    ['at midnight exactly: the next one', '2026-07-16T07:00:00Z', '2026-07-17T07:00:00Z'],
    ['winter (PST, UTC-8)', '2026-01-10T20:00:00Z', '2026-01-11T08:00:00Z'],
    ['UTC already tomorrow, Los Angeles still today', '2026-01-11T03:00:00Z', '2026-01-11T08:00:00Z'],
    ['the evening before spring forward: midnight is still PST', '2026-03-08T07:59:59Z', '2026-03-08T08:00:00Z'],
    ['spring-forward night, before 2 a.m. PST: next midnight is PDT', '2026-03-08T09:30:00Z', '2026-03-09T07:00:00Z'],
    ['spring-forward day, after the switch', '2026-03-08T12:00:00Z', '2026-03-09T07:00:00Z'],
    ['fall-back night, before 2 a.m. PDT: next midnight is PST', '2026-11-01T08:30:00Z', '2026-11-02T08:00:00Z'],
    ['the evening before fall back: midnight is still PDT', '2026-11-01T06:00:00Z', '2026-11-01T07:00:00Z'],
    ['new year', '2026-12-31T23:00:00Z', '2027-01-01T08:00:00Z'],
  ])('%s: %s → %s', (_name, now, expected) => {
    expect(new Date(nextPacificMidnightMs(Date.parse(now))).toISOString()).toBe(new Date(Date.parse(expected)).toISOString());
  });
});

describe('classifyGeminiError: errors the SDK throws before sending', () => {
  it('classifies a plain Error thrown before fetch was reached as invalid_request (the same call fails again)', () => {
    const original = new Error('outputMimeType parameter is only supported in Gemini Enterprise Agent Platform mode, not in Gemini Developer API mode.');
    const error = classified(original, undefined, { wasRequestSent: false });
    expect(error).toMatchObject({ kind: 'invalid_request', isRetryable: false, message: 'The Gemini SDK refused the request before sending it' });
    expect(error.details).toBe(original.message);
    expect(error.cause).toBe(original);
  });

  it('keeps the same Error transient once the request was sent, or when nobody knows', () => {
    expect(classified(new Error('response is undefined'), undefined, { wasRequestSent: true }).kind).toBe('transient');
    expect(classified(new Error('response is undefined')).kind).toBe('transient');
  });

  it('still returns the caller’s abort first', () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyGeminiError(new Error('x'), { signal: controller.signal, wasRequestSent: false })).toBe(controller.signal.reason);
  });
});

describe('classifyGeminiError: aborts, timeouts, network', () => {
  it('returns the caller’s abort reason as is once its signal aborted, whatever was thrown', () => {
    const controller = new AbortController();
    controller.abort();
    const thrown = new DOMException('This operation was aborted', 'AbortError');
    const result = classifyGeminiError(thrown, { signal: controller.signal });
    expect(result).toBe(controller.signal.reason);
    expect(result).not.toBeInstanceOf(ProviderError);
    expect(result.name).toBe('AbortError');
    // Even an ApiError that raced the abort: the caller asked to stop.
    expect(classifyGeminiError(apiError(500, { message: 'x' }), { signal: controller.signal })).toBe(controller.signal.reason);
  });

  it('turns a non-Error abort reason into an AbortError', () => {
    const controller = new AbortController();
    controller.abort('batch canceled');
    const result = classifyGeminiError(new Error('whatever'), { signal: controller.signal });
    expect(result).toBeInstanceOf(DOMException);
    expect(result.name).toBe('AbortError');
  });

  it('classifies an AbortError while the caller’s signal is live as the SDK timeout', () => {
    const live = new AbortController().signal;
    expect(classified(new DOMException('This operation was aborted', 'AbortError'), live).kind).toBe('timeout');
    expect(classified(new DOMException('The operation timed out.', 'TimeoutError')).kind).toBe('timeout');
  });

  it.each([
    ['ECONNREFUSED', 'transient'],
    ['ECONNRESET', 'transient'],
    ['ENOTFOUND', 'transient'],
    ['UND_ERR_SOCKET', 'transient'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
  ])('classifies fetch failed caused by %s as %s', (code, kind) => {
    const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
    const error = classified(new TypeError('fetch failed', { cause }));
    expect(error.kind).toBe(kind);
    expect(error.details).toBe(`${code}: fetch failed`);
  });

  it('classifies a bare fetch failure and a malformed success body as transient', () => {
    expect(classified(new TypeError('fetch failed')).kind).toBe('transient');
    expect(classified(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({
      kind: 'transient',
      message: 'Gemini answered with a malformed body',
    });
  });

  it('classifies anything else as transient, keeping the original as cause', () => {
    const original = new Error('response is undefined');
    const error = classified(original);
    expect(error.kind).toBe('transient');
    expect(error.cause).toBe(original);
  });
});

describe('classifyGeminiError: details are safe to show', () => {
  it('scrubs the API key and anything shaped like a Google key', () => {
    const error = classified(
      apiError(400, { message: `API key ${apiKey} invalid; also AIzaSyOtherKey_0123456789abcdefghijklmn`, status: 'INVALID_ARGUMENT' }),
    );
    expect(error.details).toBe('API key [redacted] invalid; also [redacted]');
  });

  it('drops base64 runs (image bytes) and caps the length', () => {
    const base64 = Buffer.alloc(600, 7).toString('base64');
    const error = classified(apiError(400, { message: `Bad image ${base64} ${'word '.repeat(200)}`, status: 'INVALID_ARGUMENT' }));
    expect(error.details).not.toContain(base64.slice(0, 120));
    expect(error.details!.startsWith('Bad image […] word word')).toBe(true);
    expect(error.details!.length).toBe(300);
    expect(error.details!.endsWith('…')).toBe(true);
  });
});

describe('parseDurationMs', () => {
  it('parses protobuf Durations and rejects anything else', () => {
    expect(parseDurationMs('53s')).toBe(53_000);
    expect(parseDurationMs('0.25s')).toBe(250);
    expect(parseDurationMs({ seconds: 1 })).toBe(1_000);
    expect(parseDurationMs('53')).toBeUndefined();
    expect(parseDurationMs('1m')).toBeUndefined();
    expect(parseDurationMs(undefined)).toBeUndefined();
  });
});

describe('classifyGeminiNoImage', () => {
  it.each([
    ['IMAGE_SAFETY', 'safety_blocked'],
    ['IMAGE_PROHIBITED_CONTENT', 'safety_blocked'],
    ['SAFETY', 'safety_blocked'],
    ['PROHIBITED_CONTENT', 'safety_blocked'],
    ['IMAGE_RECITATION', 'safety_blocked'],
    ['NO_IMAGE', 'transient'],
    ['IMAGE_OTHER', 'transient'],
    ['MAX_TOKENS', 'transient'],
    ['LANGUAGE', 'invalid_request'],
  ] as const)('finishReason %s → %s', (finishReason, kind) => {
    const error = classifyGeminiNoImage({ candidates: [{ finishReason: finishReason as never, finishMessage: 'Unable to show the generated image.' }] });
    expect(error.kind).toBe(kind);
    expect(error.message.startsWith(`Gemini returned no image (${finishReason})`)).toBe(true);
    expect(error.details).toBe(`finishReason: ${finishReason}; Unable to show the generated image.`);
  });

  it('classifies STOP with only text as invalid_request, quoting the text', () => {
    const error = classifyGeminiNoImage({
      candidates: [{ finishReason: 'STOP' as never, content: { role: 'model', parts: [{ text: 'I can describe it instead.' }] } }],
    });
    expect(error).toMatchObject({ kind: 'invalid_request', isRetryable: false, details: 'finishReason: STOP; I can describe it instead.' });
  });

  it('reads the empty candidate shape (content without parts) by its finish reason', () => {
    const candidate = { content: { role: 'model' }, finishReason: 'IMAGE_SAFETY' as never, finishMessage: 'Unable to show the generated image.' };
    expect(classifyGeminiNoImage({ candidates: [candidate] })).toMatchObject({
      kind: 'safety_blocked',
      details: 'finishReason: IMAGE_SAFETY; Unable to show the generated image.',
    });
  });

  it('says why a LANGUAGE finish is not retried', () => {
    expect(classifyGeminiNoImage({ candidates: [{ finishReason: 'LANGUAGE' as never }] })).toMatchObject({
      kind: 'invalid_request',
      isRetryable: false,
      message: "Gemini returned no image (LANGUAGE): Gemini does not support the prompt's language",
    });
  });

  it('classifies an empty STOP and no candidates as transient', () => {
    expect(classifyGeminiNoImage({ candidates: [{ finishReason: 'STOP' as never, content: { parts: [] } }] }).kind).toBe('transient');
    expect(classifyGeminiNoImage({ candidates: [] }).kind).toBe('transient');
    expect(classifyGeminiNoImage({}).kind).toBe('transient');
  });

  it('classifies a blocked prompt as safety_blocked', () => {
    const error = classifyGeminiNoImage({ promptFeedback: { blockReason: 'OTHER' as never, blockReasonMessage: 'The prompt was blocked.' } });
    expect(error).toMatchObject({ kind: 'safety_blocked', details: 'blockReason: OTHER; The prompt was blocked.' });
  });

  it('scrubs secrets from the model’s text', () => {
    const error = classifyGeminiNoImage(
      { candidates: [{ finishReason: 'STOP' as never, content: { parts: [{ text: `Your key is ${apiKey}` }] } }] },
      { secrets: [apiKey] },
    );
    expect(error.details).toBe('finishReason: STOP; Your key is [redacted]');
  });
});
