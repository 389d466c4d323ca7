import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must not reach unless WEBHOOK_ALLOW_PRIVATE=1: loopback, private networks,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and the unspecified
 * address. A user who may create batches must not make this server probe its own network.
 */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  // The unspecified address, loopback, and the deprecated IPv4-compatible addresses (`::127.0.0.1`).
  ['::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6');
}

/** True for an address anyone on the internet could also reach (IPv4-mapped IPv6 judged as its IPv4). */
export function isPublicAddress(address: string): boolean {
  const mapped = ipv4MappedIn(address);
  if (mapped !== undefined) return isPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return false;
  return !nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address, in either spelling: `::ffff:127.0.0.1`, or
 * `::ffff:7f00:1` as the URL parser writes it.
 */
function ipv4MappedIn(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const high = Number.parseInt(hex[1]!, 16);
  const low = Number.parseInt(hex[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const resolveHost: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Why a webhook URL is refused: said to the user (400) and in the delivery's `lastError`. */
export class WebhookUrlError extends Error {
  override name = 'WebhookUrlError';
}

/** A URL's host without IPv6 brackets, as `dns.lookup` and `net.isIP` take it. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Parses a webhook URL: http or https, no user name or password in it (they would end up in logs and views). */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlError('webhookUrl must be an absolute http:// or https:// URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlError('webhookUrl must use http:// or https://.');
  if (url.username !== '' || url.password !== '') throw new WebhookUrlError('webhookUrl must not carry a user name or password.');
  return url;
}

/**
 * The addresses the URL's host resolves to, every one of them public (unless private ones are
 * allowed). Checked when the batch is created and again by each delivery, on the addresses it then
 * connects to: a name that resolved to a public address at creation may point inside later (DNS rebinding).
 */
export async function resolvePublicAddresses(url: URL, { allowPrivate, resolve = resolveHost }: { allowPrivate: boolean; resolve?: ResolveHost }) {
  const host = hostOf(url);
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host).catch(() => {
    throw new WebhookUrlError(`The webhook host "${host}" could not be resolved.`);
  });
  if (addresses.length === 0) throw new WebhookUrlError(`The webhook host "${host}" has no address.`);
  if (!allowPrivate && addresses.some(({ address }) => !isPublicAddress(address))) {
    throw new WebhookUrlError(
      `The webhook host "${host}" is a loopback or private address: webhooks go to public addresses only (WEBHOOK_ALLOW_PRIVATE=1 on the server allows them).`,
    );
  }
  return addresses;
}
