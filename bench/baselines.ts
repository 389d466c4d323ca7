import { isProviderError, type GenerateImageOptions, type ImageProvider } from '@/lib/core';

/**
 * What people write without a scheduler, for comparison: everything at once, and a p-queue style
 * limiter (concurrency + a fixed window of `intervalCap` starts per `intervalMs`) with p-retry style
 * retries (exponential backoff that ignores the provider's hint).
 */

export interface BaselineResult {
  succeeded: number;
  failed: number;
}

/** `Promise.all` over every request: what SDK fan-out does. No retry. */
export async function runNaiveParallel(provider: ImageProvider, requests: GenerateImageOptions[]): Promise<BaselineResult> {
  const outcomes = await Promise.allSettled(requests.map((request) => provider.generate(request)));
  const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  return { succeeded, failed: outcomes.length - succeeded };
}

export interface FixedWindowOptions {
  concurrency: number;
  /** Starts allowed per window (p-queue's `intervalCap`). */
  intervalCap: number;
  /** The window (p-queue's `interval`), in milliseconds. */
  intervalMs: number;
  /** Attempts per request (p-retry's `retries` + 1). */
  maxAttempts: number;
  /** First backoff (p-retry's `minTimeout`), doubling per attempt. */
  baseDelayMs: number;
}

/**
 * A p-queue style limiter: at most `concurrency` running, at most `intervalCap` started in each fixed
 * window of `intervalMs` (so a full window's worth may start in a burst at each window border).
 * Retried the way p-queue and p-retry are usually combined, `queue.add(() => pRetry(call))`: a
 * retryable failure waits `baseDelayMs * 2^(attempt-1)` inside its slot, then calls again (the
 * retry is not a new task, so the window does not count it).
 */
export async function runFixedWindowQueue(
  provider: ImageProvider,
  requests: GenerateImageOptions[],
  options: FixedWindowOptions,
): Promise<BaselineResult> {
  const limiter = createFixedWindowLimiter(options);
  const results = await Promise.all(
    requests.map((request) =>
      limiter.run(async () => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            await provider.generate(request);
            return true;
          } catch (error) {
            const isRetryable = isProviderError(error) && error.isRetryable;
            if (!isRetryable || attempt >= options.maxAttempts) return false;
            await new Promise((resolve) => setTimeout(resolve, options.baseDelayMs * 2 ** (attempt - 1)));
          }
        }
      }),
    ),
  );
  const succeeded = results.filter(Boolean).length;
  return { succeeded, failed: results.length - succeeded };
}

function createFixedWindowLimiter({ concurrency, intervalCap, intervalMs }: FixedWindowOptions) {
  const queue: (() => void)[] = [];
  let running = 0;
  let windowStartMs = Date.now();
  let startedInWindow = 0;
  let timer: NodeJS.Timeout | undefined;

  const drain = () => {
    while (queue.length > 0 && running < concurrency) {
      const nowMs = Date.now();
      if (nowMs - windowStartMs >= intervalMs) {
        windowStartMs = nowMs - ((nowMs - windowStartMs) % intervalMs);
        startedInWindow = 0;
      }
      if (startedInWindow >= intervalCap) {
        timer ??= setTimeout(() => {
          timer = undefined;
          drain();
        }, windowStartMs + intervalMs - nowMs);
        return;
      }
      startedInWindow += 1;
      running += 1;
      queue.shift()!();
    }
  };

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          task()
            .then(resolve, reject)
            .finally(() => {
              running -= 1;
              drain();
            });
        });
        drain();
      });
    },
  };
}
