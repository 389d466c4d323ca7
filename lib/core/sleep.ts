/**
 * Waits `durationMs` milliseconds. Rejects with `signal.reason` (an `AbortError` for a plain
 * `abort()`) as soon as the signal aborts, and clears its timer so nothing is left scheduled.
 */
export function sleep(durationMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, durationMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
