import { randomUUID } from 'node:crypto';
import type { BatchStore, WebhookDelivery } from '@/lib/store';
import { retryDelayAfter } from './webhook-retry-schedule';
import { toBatchEndedPayload } from './webhook-payload';
import type { SignWebhook } from './webhook-signature';
import type { SendOutcome, SendWebhookOptions } from './send-webhook';

export interface WebhookDelivererOptions {
  store: BatchStore;
  sign: SignWebhook;
  send: (options: SendWebhookOptions) => Promise<SendOutcome>;
  /** Waits after each failed attempt; its length + 1 is the number of attempts. */
  retryDelaysMs: readonly number[];
  /** The receiver has this long to answer one attempt. */
  timeoutMs: number;
  allowPrivate: boolean;
  /** How often to look for due deliveries when the last look found none. */
  pollIntervalMs: number;
  /** @default a random id: this worker, as the deliveries' lease owner */
  owner?: string;
  /** Deliveries sent at once. @default 10 */
  batchSize?: number;
  /** @default () => new Date() */
  now?: () => Date;
  log?: (event: string, fields: Record<string, string | number | boolean | undefined>) => void;
}

export interface WebhookDeliverer {
  /** Stops looking for deliveries and waits for the attempts in flight to be recorded. */
  stop(): Promise<void>;
}

/**
 * The delivery loop of a worker: claims due deliveries (a lease per delivery, so with several
 * workers each is sent by one at a time), sends each, records how it went, and schedules the next
 * attempt on failure (a non-2xx answer, no answer within the timeout, a network error). A worker
 * that dies mid-attempt leaves its lease to expire; another worker then sends it again, which is
 * why delivery is at least once and receivers dedupe by `webhook-id`.
 */
export function startWebhookDeliverer(options: WebhookDelivererOptions): WebhookDeliverer {
  const owner = options.owner ?? `webhooks-${randomUUID()}`;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  // Longer than an attempt can take, so a live worker never loses a delivery it is sending.
  const leaseMs = options.timeoutMs * 3 + 5_000;
  let isStopped = false;
  let wakeUp: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function attempt(delivery: WebhookDelivery): Promise<void> {
    const body = delivery.payload ?? (await buildBody(delivery));
    if (body === undefined) return; // The batch was deleted: its deliveries went with it.
    const headers = options.sign(delivery.id, now(), body);
    const outcome = await options.send({
      url: delivery.url,
      body,
      headers: { ...headers },
      timeoutMs: options.timeoutMs,
      allowPrivate: options.allowPrivate,
    });
    const attempts = delivery.attempts + 1;
    const isDelivered = 'statusCode' in outcome && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const delayMs = isDelivered ? undefined : retryDelayAfter(attempts, options.retryDelaysMs);
    const recorded = await options.store.recordWebhookAttempt({
      id: delivery.id,
      owner,
      payload: body,
      ...('statusCode' in outcome ? { statusCode: outcome.statusCode } : { error: outcome.error }),
      outcome: isDelivered ? 'delivered' : delayMs === undefined ? 'failed' : 'retry',
      ...(delayMs === undefined ? {} : { nextAttemptAtMs: now().getTime() + delayMs }),
    });
    // The URL may carry a token in its query: only its origin goes to the log.
    log(isDelivered ? 'webhook-delivered' : delayMs === undefined ? 'webhook-failed' : 'webhook-retry', {
      batchId: delivery.batchId,
      webhookId: delivery.id,
      target: new URL(delivery.url).origin,
      attempts,
      ...('statusCode' in outcome ? { statusCode: outcome.statusCode } : { error: outcome.error }),
      ...(delayMs === undefined ? {} : { retryInMs: delayMs }),
      ...(recorded ? {} : { leaseLost: true }),
    });
  }

  async function buildBody(delivery: WebhookDelivery): Promise<string | undefined> {
    const batch = await options.store.getBatch(delivery.batchId);
    if (!batch) return undefined;
    const [batchEnd] = await options.store.listEvents(delivery.batchId, { afterSequence: delivery.eventSequence - 1, limit: 1 });
    if (batchEnd?.type !== 'batch-end') return undefined;
    return JSON.stringify(toBatchEndedPayload(batch, batchEnd, delivery.createdAt));
  }

  async function deliverDue(): Promise<number> {
    const claimed = await options.store.claimDueWebhookDeliveries({ owner, leaseMs, limit: options.batchSize ?? 10 });
    await Promise.all(
      claimed.map((delivery) =>
        attempt(delivery).catch((error: unknown) =>
          log('webhook-error', { batchId: delivery.batchId, webhookId: delivery.id, message: error instanceof Error ? error.message : String(error) }),
        ),
      ),
    );
    return claimed.length;
  }

  const loop = (async () => {
    while (!isStopped) {
      let claimedCount = 0;
      try {
        claimedCount = await deliverDue();
      } catch (error) {
        log('webhook-error', { message: error instanceof Error ? error.message : String(error) });
      }
      // A full claim may have left more due: look again at once.
      if (isStopped || claimedCount >= (options.batchSize ?? 10)) continue;
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(resolve, options.pollIntervalMs);
      });
    }
  })();

  return {
    async stop() {
      isStopped = true;
      clearTimeout(timer);
      wakeUp?.();
      await loop;
    },
  };
}
