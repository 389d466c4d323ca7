import type { WebhookDeliveryView } from '@/lib/core/api-views';

/** What the card says about a batch's webhooks: one short line, and a tone for its colour. */
export interface WebhookStatusLabel {
  text: string;
  tone: 'done' | 'waiting' | 'failed';
  /** A longer explanation for the tooltip (the targets and the next attempt). */
  title: string;
}

/**
 * The webhooks of the batch's latest end (a retried batch ends again: the earlier ends are history).
 * "Webhook: delivered", "Webhook: sending…", "Webhook: retrying (3 attempts, last 500)",
 * "Webhook: failed (11 attempts, last 500)"; several targets are summed up by the worst of them.
 */
export function describeWebhooks(webhooks: readonly WebhookDeliveryView[] | undefined): WebhookStatusLabel | undefined {
  if (!webhooks || webhooks.length === 0) return undefined;
  const latestSequence = Math.max(...webhooks.map((delivery) => delivery.sequence));
  const latest = webhooks.filter((delivery) => delivery.sequence === latestSequence);
  const noun = latest.length > 1 ? `Webhooks (${latest.length})` : 'Webhook';
  const title = latest.map(describeOne).join('\n');
  const failed = latest.find((delivery) => delivery.status === 'failed');
  if (failed) return { text: `${noun}: failed (${attemptsOf(failed)})`, tone: 'failed', title };
  const retrying = latest.find((delivery) => delivery.status === 'pending' && delivery.attempts > 0);
  if (retrying) return { text: `${noun}: retrying (${attemptsOf(retrying)})`, tone: 'waiting', title };
  if (latest.some((delivery) => delivery.status === 'pending')) return { text: `${noun}: sending…`, tone: 'waiting', title };
  return { text: `${noun}: delivered`, tone: 'done', title };
}

function attemptsOf(delivery: WebhookDeliveryView): string {
  const attempts = `${delivery.attempts} ${delivery.attempts === 1 ? 'attempt' : 'attempts'}`;
  if (delivery.lastStatusCode !== undefined) return `${attempts}, last ${delivery.lastStatusCode}`;
  return delivery.lastError ? `${attempts}, ${delivery.lastError.charAt(0).toLowerCase()}${delivery.lastError.slice(1)}` : attempts;
}

function describeOne(delivery: WebhookDeliveryView): string {
  const next = delivery.nextAttemptAt ? `, next attempt ${new Date(delivery.nextAttemptAt).toLocaleString()}` : '';
  return `${delivery.target}: ${delivery.status}${delivery.attempts > 0 ? ` after ${attemptsOf(delivery)}` : ''}${next}`;
}

/** How far ahead a pending webhook's next attempt may be for the page to keep asking how it went. */
const pollHorizonMs = 60_000;

/**
 * A webhook is worth polling for while one is pending and its attempt comes within the minute:
 * the first one right after the batch ends, the early retries. Hours-later retries show on reload.
 */
export function hasWebhookDueSoon(webhooks: readonly WebhookDeliveryView[] | undefined, nowMs: number): boolean {
  return (
    webhooks?.some(
      (delivery) => delivery.status === 'pending' && (delivery.nextAttemptAt === undefined || Date.parse(delivery.nextAttemptAt) - nowMs < pollHorizonMs),
    ) ?? false
  );
}
