import { InputError } from '../input-error';
import { parseWebhookUrl, resolvePublicAddresses, WebhookUrlError, type ResolveHost } from './webhook-address';

export interface WebhookTargetSettings {
  /** WEBHOOK_URL: every batch's ends go there too. */
  defaultUrl?: string;
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** @default dns.lookup */
  resolve?: ResolveHost;
}

/**
 * The URLs a new batch's ends go to: its own `webhookUrl` (refused with a 400 naming `webhookUrl`
 * when it is not http(s) or, unless allowed, resolves to a loopback or private address) and the
 * server's WEBHOOK_URL (the operator's choice: checked only at delivery time).
 */
export async function webhookTargetsFor(requestedUrl: string | undefined, settings: WebhookTargetSettings): Promise<string[]> {
  const targets: string[] = [];
  if (requestedUrl !== undefined) {
    try {
      const url = parseWebhookUrl(requestedUrl);
      await resolvePublicAddresses(url, { allowPrivate: settings.allowPrivate, ...(settings.resolve ? { resolve: settings.resolve } : {}) });
      targets.push(url.toString());
    } catch (error) {
      if (error instanceof WebhookUrlError) throw new InputError(error.message, { field: 'webhookUrl' });
      throw error;
    }
  }
  if (settings.defaultUrl !== undefined && !targets.includes(new URL(settings.defaultUrl).toString())) targets.push(new URL(settings.defaultUrl).toString());
  return targets;
}
