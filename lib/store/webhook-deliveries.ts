/**
 * Completion webhooks as the store keeps them: one delivery per target URL per batch run's
 * `batch-end`, created in the transaction that logs that `batch-end`, then claimed with a lease by
 * one worker at a time until it is delivered or given up.
 */
export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

export interface WebhookDelivery {
  /** The Standard Webhooks `webhook-id`: the same on every attempt, so receivers can drop duplicates. */
  id: string;
  batchId: string;
  /** The sequence of the `batch-end` this delivery reports (a retried batch ends again: a new one). */
  eventSequence: number;
  url: string;
  /** `pending` until a 2xx answer (`delivered`) or the last attempt failed (`failed`). */
  status: WebhookDeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** The HTTP status of the last attempt, when the receiver answered. */
  lastStatusCode?: number;
  /** Why the last attempt failed without an answer (timeout, refused, …), never a secret. */
  lastError?: string;
  /** Pending deliveries: not attempted before this time (epoch ms). */
  nextAttemptAtMs?: number;
  /** The body as first sent: every later attempt sends the same bytes. Absent before the first attempt. */
  payload?: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** ISO 8601, UTC: when a 2xx answer came. */
  deliveredAt?: string;
}

export interface ClaimWebhookDeliveries {
  /** The worker's id: only it may record the attempts of what it claimed. */
  owner: string;
  /** How long the claim lasts: a worker that dies mid-attempt frees the delivery after this. */
  leaseMs: number;
  /** @default 10 */
  limit?: number;
}

export interface RecordWebhookAttempt {
  id: string;
  owner: string;
  /** The body sent (kept on the first attempt; later attempts send the kept one). */
  payload: string;
  statusCode?: number;
  error?: string;
  /** `delivered` (2xx), `retry` at `nextAttemptAtMs`, or `failed` (no attempts left). */
  outcome: 'delivered' | 'retry' | 'failed';
  /** With `retry`: epoch ms. */
  nextAttemptAtMs?: number;
}

export interface WebhookDeliveryStore {
  /**
   * Claims pending deliveries whose time has come and that no live lease holds, oldest first. A
   * delivery is held by one worker at a time; its lease expiring (the worker died) frees it again.
   */
  claimDueWebhookDeliveries(claim: ClaimWebhookDeliveries): Promise<WebhookDelivery[]>;
  /**
   * Records one attempt of a claimed delivery and releases the claim. Resolves undefined when this
   * owner no longer holds it (its lease expired and another worker took it): nothing changes then.
   */
  recordWebhookAttempt(attempt: RecordWebhookAttempt): Promise<WebhookDelivery | undefined>;
  /**
   * Start-up of the only process on its database (the embedded server): every claim is released,
   * since the worker that held it is gone (a crash mid-attempt). Resolves how many.
   */
  releaseWebhookLeases(): Promise<number>;
  /** The batch's deliveries, oldest first (empty for an unknown batch). */
  listWebhookDeliveries(batchId: string): Promise<WebhookDelivery[]>;
}

/** A new delivery's `webhook-id`: unique, and free of characters a header would need to escape. */
export function newWebhookId(createId: () => string): string {
  return `msg_${createId().replaceAll('-', '')}`;
}
