import type { ClassicBody, ItemOutcome } from '@/lib/core';

export type IndexedOutcome = { index: number } & ItemOutcome;

export interface ClassicResult {
  httpStatus: number;
  body: ClassicBody;
  /** Set when every failure was a rate limit: the client should wait this long. */
  retryAfterSeconds?: number;
}

/** When every image was rate limited but the provider named no delay, ask the client to wait this long. */
const fallbackRetryAfterSeconds = 60;

/** The seed's three response formats, built from the items' outcomes (order by index). */
export function toClassicResult(outcomes: IndexedOutcome[]): ClassicResult {
  const sorted = [...outcomes].sort((left, right) => left.index - right.index);
  const images = sorted.flatMap((item) =>
    item.status === 'succeeded' ? [{ data: Buffer.from(item.image.bytes).toString('base64'), mimeType: item.image.mimeType }] : [],
  );
  const errors = sorted.flatMap((item) => {
    if (item.status === 'failed') return [{ index: item.index, error: item.error.message, details: item.error.details ?? item.error.message }];
    if (item.status === 'canceled') return [{ index: item.index, error: 'Canceled', details: 'The batch was canceled before this image was made.' }];
    return [];
  });

  if (images.length > 0) {
    const body = { images, success: images.length, failed: errors.length, ...(errors.length > 0 ? { errors } : {}) };
    return { httpStatus: 200, body };
  }

  const body: ClassicBody = {
    error: 'All image generations failed',
    details: errors.map(({ index, error }) => ({ index, error })),
  };
  const failures = sorted.filter((item): item is Extract<IndexedOutcome, { status: 'failed' }> => item.status === 'failed');
  const isAllRateLimited = failures.length === sorted.length && failures.every((item) => item.error.kind === 'rate_limited');
  if (isAllRateLimited) {
    const longestWaitMs = Math.max(0, ...failures.map((item) => item.error.retryAfterMs ?? 0));
    const retryAfterSeconds = longestWaitMs > 0 ? Math.ceil(longestWaitMs / 1000) : fallbackRetryAfterSeconds;
    return { httpStatus: 429, body, retryAfterSeconds };
  }
  return { httpStatus: 502, body };
}
