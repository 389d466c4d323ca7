/** Completion webhooks: the URL checks, the signer, the payload and the workers' delivery loop. */
export { isPublicAddress, parseWebhookUrl, resolvePublicAddresses, WebhookUrlError } from './webhook-address';
export { createWebhookSigner, type SignWebhook, type WebhookHeaders } from './webhook-signature';
export { defaultWebhookRetryDelaysMs, retryDelayAfter } from './webhook-retry-schedule';
export { toBatchEndedPayload, type BatchEndedPayload } from './webhook-payload';
export { sendWebhook, type SendOutcome } from './send-webhook';
export { startWebhookDeliverer, type WebhookDeliverer } from './webhook-deliverer';
export { webhookTargetsFor, type WebhookTargetSettings } from './batch-webhook-targets';
