/**
 * What a provider reported spending on one image (Gemini `usageMetadata`, OpenAI `usage`), and
 * what it costs. Kept per item; a batch adds its items up.
 */
export interface ImageUsage {
  /** Tokens of the prompt and input images. */
  inputTokens?: number;
  /** Of which image tokens (OpenAI `input_tokens_details.image_tokens`). */
  inputImageTokens?: number;
  /** Tokens of the answer, the image included (Gemini `candidatesTokenCount`, OpenAI `output_tokens`). */
  outputTokens?: number;
  /** Gemini 3: tokens spent thinking (`thoughtsTokenCount`), billed as output. */
  thoughtTokens?: number;
  totalTokens?: number;
}

/** Prices of one model, in US dollars. Set at least one of the two ways. */
export interface ModelPrice {
  /**
   * Per image made, by size (`1K`, `2K`, `4K`, or a fixed `WxH`) and/or quality (`low`…), or one
   * figure for any image: the key `*`. Looked up as `quality:size`, then `quality`, then `size`,
   * then `*`.
   */
  perImageUsd?: Record<string, number>;
  /** Per million input tokens (prompt, and input images unless priced apart below). */
  inputPerMillionTokensUsd?: number;
  /** Per million input image tokens, where they cost other than text (OpenAI). @default inputPerMillionTokensUsd */
  inputImagePerMillionTokensUsd?: number;
  /** Per million output tokens (the image, and thoughts). */
  outputPerMillionTokensUsd?: number;
}

/** Rounds a dollar figure to a tenth of a cent's hundredth (6 decimals) without float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** `$0.07`, `$0.0336`, `$2.00`: at least cents, at most four decimals, no trailing noise. */
export function formatUsd(usd: number): string {
  const trimmed = String(Number(usd.toFixed(4)));
  const [whole, decimals = ''] = trimmed.split('.');
  return `$${whole}.${decimals.padEnd(2, '0')}`;
}

/** Per-image price for an image of `quality` and `size` (either may be absent), or undefined. */
export function perImagePriceUsd(price: ModelPrice, quality: string | undefined, size: string | undefined): number | undefined {
  const table = price.perImageUsd;
  if (!table) return undefined;
  const keys = [quality && size ? `${quality}:${size}` : undefined, quality, size, '*'];
  for (const key of keys) if (key !== undefined && table[key] !== undefined) return table[key];
  return undefined;
}

/**
 * What an image cost: from the tokens the provider reported, when the model is priced by token and
 * the usage has them; else the per-image price. Undefined when neither is known.
 */
export function imageCostUsd(
  price: ModelPrice | undefined,
  usage: ImageUsage | undefined,
  quality: string | undefined,
  size: string | undefined,
): number | undefined {
  if (!price) return undefined;
  const hasTokenRates = price.inputPerMillionTokensUsd !== undefined && price.outputPerMillionTokensUsd !== undefined;
  if (hasTokenRates && usage && (usage.outputTokens !== undefined || usage.inputTokens !== undefined)) {
    const imageTokens = price.inputImagePerMillionTokensUsd === undefined ? 0 : (usage.inputImageTokens ?? 0);
    const input =
      ((usage.inputTokens ?? 0) - imageTokens) * price.inputPerMillionTokensUsd! + imageTokens * (price.inputImagePerMillionTokensUsd ?? 0);
    const output = ((usage.outputTokens ?? 0) + (usage.thoughtTokens ?? 0)) * price.outputPerMillionTokensUsd!;
    return roundUsd((input + output) / 1e6);
  }
  const perImage = perImagePriceUsd(price, quality, size);
  return perImage === undefined ? undefined : roundUsd(perImage);
}
