import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session cookies, API tokens and the setup link are 256-bit random secrets. Only their SHA-256 is
 * stored: with this much entropy a fast hash is enough (no guessing to slow down), and a copy of
 * the database holds nothing that signs anyone in.
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two secrets in constant time. */
export function secretsMatch(given: string, expected: string): boolean {
  const a = Buffer.from(hashSecret(given), 'hex');
  const b = Buffer.from(hashSecret(expected), 'hex');
  return timingSafeEqual(a, b);
}

/** API tokens carry a prefix so a leaked one is recognisable (secret scanners, logs). */
export const apiTokenPrefix = 'igt_';

export function newApiToken(): string {
  return `${apiTokenPrefix}${newSecret()}`;
}
