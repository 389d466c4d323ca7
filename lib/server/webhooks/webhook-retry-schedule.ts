/**
 * Waits after each failed attempt: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h. Eleven
 * attempts over about 23.7 hours: a receiver down for most of a day still gets the delivery.
 */
export const defaultWebhookRetryDelaysMs: readonly number[] = [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800].map(
  (seconds) => seconds * 1000,
);

/** How long to wait after the `attempts`-th failed attempt; undefined when that was the last one. */
export function retryDelayAfter(attempts: number, delaysMs: readonly number[] = defaultWebhookRetryDelaysMs): number | undefined {
  return delaysMs[attempts - 1];
}
