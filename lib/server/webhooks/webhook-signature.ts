import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one delivery attempt. */
export interface WebhookHeaders {
  'webhook-id': string;
  /** Seconds since the epoch. */
  'webhook-timestamp': string;
  /** `v1,<base64 of HMAC-SHA256(secret, "${id}.${timestamp}.${body}")>`; absent without WEBHOOK_SECRET. */
  'webhook-signature'?: string;
}

export type SignWebhook = (id: string, timestamp: Date, body: string) => WebhookHeaders;

/**
 * Signs as the Standard Webhooks spec says, with its reference library (Svix's `standardwebhooks`).
 * The secret is `whsec_<base64>` (the spec's form: the key is the decoded bytes) or any other
 * string, taken as raw UTF-8 bytes. Without a secret, deliveries carry the id and timestamp only.
 */
export function createWebhookSigner(secret: string | undefined): SignWebhook {
  const webhook = secret === undefined ? undefined : secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(Buffer.from(secret, 'utf8'), { format: 'raw' });
  return (id, timestamp, body) => {
    const headers: WebhookHeaders = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)) };
    if (webhook) headers['webhook-signature'] = webhook.sign(id, timestamp, body);
    return headers;
  };
}
