/** Small helpers the adapters' error classifiers share. */

/** Longest `details` text kept from a provider's answer. */
export const maxDetailsLength = 300;

/** `signal.reason` when it is an Error (a plain `abort()` gives a DOMException AbortError), else a new AbortError. */
export function abortErrorOf(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/** The system or undici error code somewhere in the cause chain (`fetch failed` → `ECONNREFUSED`). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && isRecord(current); depth += 1) {
    if (typeof current.code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(current.code)) return current.code;
    current = current.cause;
  }
  return undefined;
}

/**
 * Makes provider text safe to show and store: secrets scrubbed (and anything shaped like a Google
 * or OpenAI key), HTML tags and long base64 runs (image bytes) removed, whitespace collapsed, capped.
 */
export function sanitizeDetails(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) if (secret) clean = redactSecret(clean, secret);
  clean = clean
    .replace(/AIza[0-9A-Za-z_-]{4,}/g, '[redacted]')
    .replace(/sk-[A-Za-z0-9_-]{6,}/g, '[redacted]')
    .replace(/<[^>]*>/g, ' ')
    .replace(/[A-Za-z0-9+/=_-]{120,}/g, '[…]')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > maxDetailsLength ? `${clean.slice(0, maxDetailsLength - 1)}…` : clean;
}

/** Shortest piece of a secret that is redacted on its own (a parser's error snippet may cut a key anywhere). */
const minimumSecretFragment = 8;

/**
 * The secret, and any piece of it of at least `minimumSecretFragment` characters at its start or
 * end (what a truncated snippet keeps), replaced by `[redacted]`.
 */
function redactSecret(text: string, secret: string): string {
  let clean = text.split(secret).join('[redacted]');
  for (let length = secret.length - 1; length >= minimumSecretFragment; length -= 1) {
    clean = clean.split(secret.slice(0, length)).join('[redacted]');
    clean = clean.split(secret.slice(-length)).join('[redacted]');
  }
  return clean;
}

/** A retry hint as a provider gave it: how long to wait, and how far that may be off (see `ProviderErrorOptions.retryAfterSlackMs`). */
export interface RetryHint {
  ms: number;
  slackMs: number;
}

/** A hint in seconds: to the millisecond with a fraction, a second either way in whole seconds (rounded). */
export function retryHintOfSeconds(seconds: number): RetryHint {
  return { ms: secondsToMs(seconds), slackMs: Number.isInteger(seconds) ? 1_000 : 0 };
}

/** How far a hint of this many milliseconds may be off: a second when it is whole seconds (rounded), else nothing. */
export function wholeSecondsSlackMs(ms: number): number {
  return ms % 1_000 === 0 ? 1_000 : 0;
}

/** The `ProviderError` options that carry a hint. */
export function retryHintOptions(hint: RetryHint | undefined): { retryAfterMs?: number; retryAfterSlackMs?: number } {
  if (hint === undefined) return {};
  return { retryAfterMs: hint.ms, ...(hint.slackMs > 0 ? { retryAfterSlackMs: hint.slackMs } : {}) };
}

/** Rounded up to the millisecond, without float noise (1.1 s is 1100 ms, not 1101). */
export function secondsToMs(seconds: number): number {
  return Math.ceil(Math.round(seconds * 1e6) / 1e3);
}

export function hasName(error: unknown, name: string): boolean {
  return isRecord(error) && error.name === name;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
