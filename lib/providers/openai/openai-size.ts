import {
  aspectRatioValue,
  isImageSizePreset,
  parseExactSize,
  presetLongEdge,
  type AspectRatio,
  type CustomSizeRule,
  type ImageOptions,
  type ModelCapabilities,
} from '@/lib/core';

/** The `size` to send (none leaves the model's `auto`), and what could not be honoured. */
export interface OpenAISizing {
  size?: string;
  warnings: string[];
}

/**
 * Maps our size and aspect ratio to OpenAI's `size`. Pure.
 *
 * - Models with a custom size rule (GPT Image 2, 2.5): an exact `WxH` goes as is; a preset, or an
 *   aspect ratio alone (1K then), becomes the exact `WxH` of that ratio, fitted to the rule.
 * - Fixed-size models: a fixed size goes as is; otherwise the ratio picks the nearest fixed size,
 *   with a warning when it is not exact.
 * - Neither size nor ratio: no `size`, the model chooses.
 */
export function openAISizeFor(request: ImageOptions, capabilities: ModelCapabilities, modelLabel: string): OpenAISizing {
  const { size, aspectRatio } = request;
  if (size === undefined && aspectRatio === undefined) return { warnings: [] };
  const exact = size === undefined ? undefined : parseExactSize(size);
  const rule = capabilities.customSize;

  if (exact && (rule || capabilities.sizes.includes(size!))) {
    return { size, warnings: ratioMismatchWarnings(aspectRatio, exact, size!) };
  }
  if (rule && (size === undefined || isImageSizePreset(size))) {
    const fitted = customSizeFor(aspectRatio ?? '1:1', presetLongEdge[size ?? '1K'], rule);
    return { size: `${fitted.width}x${fitted.height}`, warnings: [] };
  }

  const nearest = nearestFixedSize(aspectRatio ?? '1:1', capabilities.sizes);
  if (size !== undefined) {
    const unavailable = `Size ${size} is not available on ${modelLabel}`;
    return nearest ? { size: nearest.size, warnings: [`${unavailable}; generated ${nearest.size} instead`] } : { warnings: [`${unavailable}; the model chose the size`] };
  }
  if (!nearest) return { warnings: [`Aspect ratio ${aspectRatio} is not available on ${modelLabel}; the model chose the size`] };
  return {
    size: nearest.size,
    warnings: nearest.isExact ? [] : [`Aspect ratio ${aspectRatio} is not available on ${modelLabel}; generated ${nearest.size} instead`],
  };
}

/**
 * The `WxH` of `aspectRatio` with a long edge of about `longEdge`, both edges multiples of the
 * rule's step, then grown or shrunk a step at a time until the pixel count and edge limits hold
 * (1K 16:9 is 1024x576 = 589,824 pixels, under GPT Image 2's floor: it becomes 1088x608).
 */
export function customSizeFor(aspectRatio: AspectRatio, longEdge: number, rule: CustomSizeRule): { width: number; height: number } {
  const ratio = aspectRatioValue(aspectRatio);
  const longOverShort = ratio >= 1 ? ratio : 1 / ratio;
  const step = rule.multipleOf;
  const toStep = (pixels: number) => Math.max(step, Math.round(pixels / step) * step);
  const edgesFor = (long: number) => ({ long, short: toStep(long / longOverShort) });

  let edges = edgesFor(toStep(longEdge));
  const pixels = () => edges.long * edges.short;
  while ((edges.long > rule.maxEdge || pixels() > rule.maxPixels) && edges.long > step) edges = edgesFor(edges.long - step);
  while (pixels() < rule.minPixels && edges.long + step <= rule.maxEdge) {
    const grown = edgesFor(edges.long + step);
    if (grown.long * grown.short > rule.maxPixels) break;
    edges = grown;
  }
  return ratio >= 1 ? { width: edges.long, height: edges.short } : { width: edges.short, height: edges.long };
}

/** The fixed `WxH` whose ratio is nearest `aspectRatio` (by log distance, so 2:1 and 1:2 weigh alike). */
function nearestFixedSize(aspectRatio: AspectRatio, sizes: readonly string[]): { size: string; isExact: boolean } | undefined {
  const wanted = Math.log(aspectRatioValue(aspectRatio));
  let best: { size: string; distance: number } | undefined;
  for (const size of sizes) {
    const exact = parseExactSize(size);
    if (!exact) continue;
    const distance = Math.abs(Math.log(exact.width / exact.height) - wanted);
    if (!best || distance < best.distance) best = { size, distance };
  }
  return best && { size: best.size, isExact: best.distance < 1e-9 };
}

/** An exact size that does not have the ratio also asked for: the size wins, and says so. */
function ratioMismatchWarnings(aspectRatio: AspectRatio | undefined, exact: { width: number; height: number }, size: string): string[] {
  if (!aspectRatio) return [];
  const offBy = Math.abs(Math.log(exact.width / exact.height) - Math.log(aspectRatioValue(aspectRatio)));
  return offBy > 0.02 ? [`Size ${size} does not have aspect ratio ${aspectRatio}; generated ${size}`] : [];
}
