import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostOf, resolvePublicAddresses, WebhookUrlError, type ResolveHost } from './webhook-address';

export interface SendWebhookOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** The receiver has this long to answer. */
  timeoutMs: number;
  allowPrivate: boolean;
  /** @default dns.lookup (every address) */
  resolve?: ResolveHost;
}

/** How one attempt went: the receiver's status code, or why there was none. */
export type SendOutcome = { statusCode: number } | { error: string };

/**
 * POSTs the body once. The host is resolved here and the connection made to exactly the addresses
 * checked (a custom `lookup`), so a DNS answer that changes between the check and the connection
 * cannot send it inside. Redirects are not followed (a 3xx is a failed attempt): following one
 * would skip the check. The answer's body is read and dropped.
 */
export async function sendWebhook(options: SendWebhookOptions): Promise<SendOutcome> {
  let addresses: { address: string; family: number }[];
  const url = new URL(options.url);
  try {
    addresses = await resolvePublicAddresses(url, { allowPrivate: options.allowPrivate, ...(options.resolve ? { resolve: options.resolve } : {}) });
  } catch (error) {
    return { error: error instanceof WebhookUrlError ? error.message : 'The webhook host could not be resolved.' };
  }
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
  const requestOptions: RequestOptions = {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'imagegen-webhooks', ...options.headers, 'content-length': Buffer.byteLength(options.body) },
    lookup,
    signal: AbortSignal.timeout(options.timeoutMs),
    ...(url.protocol === 'https:' ? { servername: hostOf(url) } : {}),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendOutcome>((resolve) => {
    const request = send(url, requestOptions, (response) => {
      response.resume();
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0 }));
      response.on('error', () => resolve({ statusCode: response.statusCode ?? 0 }));
    });
    request.on('error', (error) => resolve({ error: describeNetworkError(error, options.timeoutMs) }));
    request.end(options.body);
  });
}

/** A short reason for the delivery's `lastError`: the error's code, never the request (its headers carry the signature). */
function describeNetworkError(error: Error, timeoutMs: number): string {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return `No answer within ${timeoutMs / 1000} s`;
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `Network error (${code})` : 'Network error';
}
