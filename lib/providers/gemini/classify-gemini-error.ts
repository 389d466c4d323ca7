import { ApiError, type GenerateContentResponse } from '@google/genai';
import { ProviderError, type ProviderErrorKind } from '@/lib/core';
import { abortErrorOf, hasName, isRecord, messageOf, networkErrorCode, retryHintOfSeconds, retryHintOptions, sanitizeDetails, secondsToMs, wholeSecondsSlackMs, type RetryHint } from '../shared/error-helpers';

/**
 * Translates what the Gemini SDK throws, and answers that carry no image, into one `ProviderError`.
 * Pure: no I/O, no clock. The adapter calls these; nothing above it ever reads Gemini's body.
 */

export interface ClassifyGeminiOptions {
  /** The caller's signal. Once it has aborted, its abort is returned as is, never a `ProviderError`. */
  signal?: AbortSignal;
  /** Strings scrubbed from every message and detail (the API key). @default [] */
  secrets?: readonly string[];
  /**
   * Whether the SDK handed the request to `fetch` (the adapter knows through `httpOptions.fetch`).
   * `false`: the SDK refused the call itself (a bad argument, a malformed model id), so the same
   * call fails the same way again: `invalid_request`, never retried.
   * @default undefined (unknown: treated as sent)
   */
  wasRequestSent?: boolean;
  /** The clock that dates a per-day quota's reset, epoch milliseconds. @default Date.now */
  now?: () => number;
}

/** The `{"error":{…}}` envelope of Google APIs. */
interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: unknown[];
}

/**
 * Classifies a thrown value. Returns the `ProviderError` to throw, or, when `options.signal` has
 * aborted, the abort itself (`signal.reason`, an `AbortError` for a plain `abort()`): the engine must
 * see a cancellation, not a provider failure.
 */
export function classifyGeminiError(error: unknown, options: ClassifyGeminiOptions = {}): Error {
  const { signal, secrets = [], now = Date.now } = options;
  if (signal?.aborted) return abortErrorOf(signal);
  const clean = (text: string) => sanitizeDetails(text, secrets);

  if (isApiError(error)) return classifyApiError(error, clean, now);
  // Without our signal aborting, the only other abort comes from the SDK's own `httpOptions.timeout`
  // timer (it aborts with no reason, hence a plain AbortError).
  if (hasName(error, 'AbortError') || hasName(error, 'TimeoutError')) {
    return new ProviderError('timeout', 'Gemini did not answer in time', { details: clean(messageOf(error)), cause: error });
  }
  // Nothing left the machine: the SDK's own checks threw (`invalid model parameter`, an option it
  // does not take on the Gemini API). Retrying would throw the same again.
  if (options.wasRequestSent === false) {
    return new ProviderError('invalid_request', 'The Gemini SDK refused the request before sending it', {
      details: clean(messageOf(error)),
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError('transient', 'Gemini answered with a malformed body', {
      details: clean(messageOf(error)),
      cause: error,
    });
  }
  const networkCode = networkErrorCode(error);
  if (networkCode !== undefined || (error instanceof TypeError && error.message === 'fetch failed')) {
    const kind: ProviderErrorKind = networkCode !== undefined && timeoutCodes.has(networkCode) ? 'timeout' : 'transient';
    return new ProviderError(kind, 'Network error calling Gemini', {
      details: clean([networkCode, messageOf(error)].filter(Boolean).join(': ')),
      cause: error,
    });
  }
  // Unknown: most likely an SDK quirk on an odd answer. Retrying a few times is cheap; the engine bounds it.
  return new ProviderError('transient', 'Unexpected error calling Gemini', { details: clean(messageOf(error)), cause: error });
}

function classifyApiError(error: ApiError, clean: (text: string) => string, now: () => number): ProviderError {
  const body = parseGoogleErrorBody(error.message);
  const status = error.status;
  const rpcStatus = body?.status;
  const providerMessage = body?.message ?? error.message;
  if (status === 429 || rpcStatus === 'RESOURCE_EXHAUSTED') {
    const exhausted = exhaustedQuotaOf(body);
    if (exhausted) return quotaExhaustedError(exhausted, { error, status, providerMessage, clean, now });
  }
  const kind = kindOf(status, rpcStatus, body?.details ?? []);
  return new ProviderError(kind, `Gemini API error ${status}${rpcStatus ? ` ${rpcStatus}` : ''}`, {
    status,
    details: clean(providerMessage),
    ...(kind === 'rate_limited' ? retryHintOptions(retryHintOf(body)) : {}),
    cause: error,
  });
}

function kindOf(status: number, rpcStatus: string | undefined, details: unknown[]): ProviderErrorKind {
  if (status === 429 || rpcStatus === 'RESOURCE_EXHAUSTED') return 'rate_limited';
  if (status === 503 || rpcStatus === 'UNAVAILABLE') return 'overloaded';
  // A wrong key is a 400 INVALID_ARGUMENT whose ErrorInfo reason is API_KEY_INVALID: still auth.
  if (status === 401 || status === 403 || hasApiKeyErrorInfo(details)) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408 || status >= 500) return 'transient';
  return 'invalid_request';
}

// ---- quotas that waiting seconds does not bring back -----------------------------------------

/** What a 429 says about the quota it hit, when that quota is not a per-minute one. */
interface ExhaustedQuota {
  /** A `QuotaFailure` violation names a per-day quota (`GenerateRequestsPerDayPerProjectPerModel…`). */
  isDaily: boolean;
  /** The message says `limit: 0`: this key may not call this model at all (e.g. no free tier for it). */
  hasNoQuota: boolean;
}

/**
 * A 429 whose quota is per day, or zero, is not a rate limit: its RetryInfo (14-59 s) would have the
 * engine retry into the same refusal all day. Undefined for a per-minute limit.
 */
function exhaustedQuotaOf(body: GoogleErrorBody | undefined): ExhaustedQuota | undefined {
  const isDaily = quotaIdsOf(body?.details ?? []).some((quotaId) => quotaId.includes('PerDay'));
  const hasNoQuota = /\blimit:\s*0(?![\d.])/.test(body?.message ?? '');
  return isDaily || hasNoQuota ? { isDaily, hasNoQuota } : undefined;
}

function quotaIdsOf(details: unknown[]): string[] {
  return details.flatMap((detail) => {
    if (!isRecord(detail) || !String(detail['@type']).endsWith('google.rpc.QuotaFailure') || !Array.isArray(detail.violations)) return [];
    return detail.violations.flatMap((violation: unknown) =>
      isRecord(violation) && typeof violation.quotaId === 'string' ? [violation.quotaId] : [],
    );
  });
}

function quotaExhaustedError(
  exhausted: ExhaustedQuota,
  context: { error: ApiError; status: number; providerMessage: string; clean: (text: string) => string; now: () => number },
): ProviderError {
  const summary = exhausted.hasNoQuota
    ? `Gemini gives this API key no ${exhausted.isDaily ? 'daily ' : ''}quota for this model (limit: 0): enable billing on its project or choose another model`
    : "Gemini's daily request quota for this model is used up; it resets at midnight Pacific time";
  // The "Quota exceeded for metric: …, limit: …, model: …" lines say which quota; the rest is boilerplate.
  const quotaLines = context.providerMessage
    .split('\n')
    .filter((line) => /quota exceeded for metric/i.test(line))
    .map((line) => line.replace(/^\W+/, ''))
    .join(' ');
  return new ProviderError('quota_exhausted', summary, {
    status: context.status,
    details: context.clean(`${summary}. Gemini said: ${quotaLines || context.providerMessage}`),
    // Google: "Requests per day quotas reset at midnight Pacific time".
    resetsAtMs: exhausted.isDaily ? nextPacificMidnightMs(context.now()) : undefined,
    cause: context.error,
  });
}

const pacificWallClock = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

/** The wall-clock time in Los Angeles at `epochMs`, written as if it were UTC (whole seconds). */
function pacificWallClockAsUtcMs(epochMs: number): number {
  const field = Object.fromEntries(
    pacificWallClock.formatToParts(epochMs).filter((part) => part.type !== 'literal').map((part) => [part.type, Number(part.value)]),
  ) as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
  return Date.UTC(field.year, field.month - 1, field.day, field.hour, field.minute, field.second);
}

/** The first midnight in America/Los_Angeles strictly after `nowMs` (epoch ms), DST included. */
export function nextPacificMidnightMs(nowMs: number): number {
  const wallNowMs = pacificWallClockAsUtcMs(nowMs);
  const wallToday = new Date(wallNowMs);
  const wallMidnightMs = Date.UTC(wallToday.getUTCFullYear(), wallToday.getUTCMonth(), wallToday.getUTCDate() + 1);
  const offsetAtMs = (epochMs: number) => pacificWallClockAsUtcMs(epochMs) - (epochMs - (((epochMs % 1_000) + 1_000) % 1_000));
  // Offset at a first guess, then at the instant it gives: the second pass corrects a DST switch
  // between now and midnight. (Pacific midnight is never skipped or doubled: the switches are at 2 a.m.)
  const firstGuessMs = wallMidnightMs - offsetAtMs(nowMs);
  return wallMidnightMs - offsetAtMs(firstGuessMs);
}

/**
 * The SDK's `message` is the error body as a JSON string (a non-JSON body arrives wrapped as
 * `{"error":{"message":"<the text>","code":…,"status":"<statusText>"}}`).
 */
function parseGoogleErrorBody(message: string): GoogleErrorBody | undefined {
  try {
    const parsed: unknown = JSON.parse(message);
    const inner = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
    if (!inner) return undefined;
    return {
      code: typeof inner.code === 'number' ? inner.code : undefined,
      message: typeof inner.message === 'string' ? inner.message : undefined,
      status: typeof inner.status === 'string' ? inner.status : undefined,
      details: Array.isArray(inner.details) ? inner.details : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * From the `google.rpc.RetryInfo` detail, else from "Please retry in 53.0s." in the message. The
 * API often cuts RetryInfo down to whole seconds while the message keeps the fraction
 * (`retryDelay: "16s"` beside "Please retry in 16.34553186s."): then the message's is the time
 * the quota comes back, and waiting only the whole seconds starts a call before it, to be refused again.
 */
function retryHintOf(body: GoogleErrorBody | undefined): RetryHint | undefined {
  const match = /retry in (\d+(?:\.\d+)?)\s*s\b/i.exec(body?.message ?? '');
  const fromMessage = match ? retryHintOfSeconds(Number(match[1])) : undefined;
  for (const detail of body?.details ?? []) {
    if (isRecord(detail) && String(detail['@type']).endsWith('google.rpc.RetryInfo')) {
      const delayMs = parseDurationMs(detail.retryDelay);
      if (delayMs === undefined) continue;
      const isRefinedByMessage = fromMessage !== undefined && fromMessage.ms >= delayMs && fromMessage.ms < delayMs + 1_000;
      // Whole seconds (cut down, as the API does) are a second off either way; a fraction is to the millisecond.
      return isRefinedByMessage ? fromMessage : { ms: delayMs, slackMs: wholeSecondsSlackMs(delayMs) };
    }
  }
  return fromMessage;
}

/** A protobuf `Duration` in its JSON form (`"53s"`, `"1.5s"`), or `{seconds, nanos}`. */
export function parseDurationMs(duration: unknown): number | undefined {
  if (typeof duration === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(duration);
    return match ? secondsToMs(Number(match[1])) : undefined;
  }
  if (isRecord(duration)) {
    const seconds = Number(duration.seconds ?? 0);
    const nanos = Number(duration.nanos ?? 0);
    return Number.isFinite(seconds) && Number.isFinite(nanos) ? secondsToMs(seconds + nanos / 1e9) : undefined;
  }
  return undefined;
}

function hasApiKeyErrorInfo(details: unknown[]): boolean {
  return details.some(
    (detail) =>
      isRecord(detail) &&
      String(detail['@type']).endsWith('google.rpc.ErrorInfo') &&
      typeof detail.reason === 'string' &&
      detail.reason.startsWith('API_KEY_'),
  );
}

// ---- answers without an image ----------------------------------------------------------------

/** Finish reasons meaning the safety or recitation filter withheld the image: the same prompt will be refused again. */
const safetyFinishReasons = new Set([
  'SAFETY',
  'IMAGE_SAFETY',
  'PROHIBITED_CONTENT',
  'IMAGE_PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
  'IMAGE_RECITATION',
]);

/**
 * Classifies a successful answer that holds no image.
 * - a blocked prompt (`promptFeedback.blockReason`) or a safety/recitation finish → `safety_blocked`;
 * - `STOP` with only text → `invalid_request`: the model chose to answer in words (usually a soft
 *   refusal or a question back), and the same prompt tends to get the same answer;
 * - `LANGUAGE` → `invalid_request`: the prompt's language is not supported; a retry cannot change that;
 * - `NO_IMAGE`, `IMAGE_OTHER`, `OTHER`, `MAX_TOKENS`, no candidates, an empty `STOP` → `transient`:
 *   generation glitches that a new sample often gets past, so a bounded retry is worth it.
 */
export function classifyGeminiNoImage(
  response: Pick<GenerateContentResponse, 'candidates' | 'promptFeedback'>,
  options: Pick<ClassifyGeminiOptions, 'secrets'> = {},
): ProviderError {
  const clean = (text: string) => sanitizeDetails(text, options.secrets ?? []);
  const blockReason: string | undefined = response.promptFeedback?.blockReason;
  if (blockReason) {
    const reasonMessage = response.promptFeedback?.blockReasonMessage;
    return new ProviderError('safety_blocked', `Gemini blocked the prompt (${blockReason})`, {
      details: clean([`blockReason: ${blockReason}`, reasonMessage].filter(Boolean).join('; ')),
    });
  }
  const candidate = response.candidates?.[0];
  if (!candidate) return new ProviderError('transient', 'Gemini returned no candidates', { details: 'no candidates' });

  const finishReason: string = candidate.finishReason ?? 'FINISH_REASON_UNSPECIFIED';
  const text = (candidate.content?.parts ?? [])
    .map((part) => part.text)
    .filter((partText): partText is string => typeof partText === 'string' && partText.trim() !== '')
    .join(' ');
  const details = clean([`finishReason: ${finishReason}`, candidate.finishMessage, text].filter(Boolean).join('; '));
  const message = `Gemini returned no image (${finishReason})`;
  if (safetyFinishReasons.has(finishReason)) return new ProviderError('safety_blocked', message, { details });
  if (finishReason === 'STOP' && text !== '') return new ProviderError('invalid_request', message, { details });
  if (finishReason === 'LANGUAGE') {
    return new ProviderError('invalid_request', `${message}: Gemini does not support the prompt's language`, { details });
  }
  return new ProviderError('transient', message, { details });
}

// ---- small helpers (mirrored in ../openai/classify-openai-error.ts) ---------------------------

const timeoutCodes = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function isApiError(error: unknown): error is ApiError {
  // instanceof, plus a shape check in case the SDK got loaded twice (ESM and CJS copies).
  return error instanceof ApiError || (hasName(error, 'ApiError') && typeof (error as { status?: unknown }).status === 'number');
}

