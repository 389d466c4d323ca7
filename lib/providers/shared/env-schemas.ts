import { z } from 'zod';

/** Env helpers every descriptor's schema uses. */

/** A string variable; empty or blank counts as unset. */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** A comma list (`a, b,c`), empty entries dropped; unset or blank is undefined. */
export const commaList = optionalText.transform((value) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
);

/**
 * Per-image price overrides, `model=usd` pairs in a comma list
 * (`gpt-image-2=0.05, gpt-image-1-mini=0.01`). Prices change more often than code.
 */
export const priceOverrides = optionalText.transform((value, context) => {
  const prices = new Map<string, number>();
  if (value === undefined) return prices;
  for (const pair of value.split(',')) {
    const match = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(pair);
    if (!match) {
      context.addIssue({ code: 'custom', message: 'must be model=USD pairs in a comma list, e.g. "gpt-image-2=0.05"' });
      return z.NEVER;
    }
    prices.set(match[1]!, Number(match[2]));
  }
  return prices;
});
