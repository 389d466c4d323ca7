import { aspectRatioValue, isImageSizePreset, parseExactSize, presetLongEdge, type GenerateImageOptions } from '@/lib/core';
import { a1111SizeRule, baseEdgeFor } from './a1111-models';

/**
 * Width and height for A1111 from the neutral size and aspect ratio. An exact `WxH` is sent as it
 * is (it was checked against the size rule). Otherwise the image keeps the area of a square at the
 * model's native edge (512 or 1024, `baseEdgeFor`; `2K` doubles it) in the asked ratio, as SD models
 * are trained on a fixed pixel count; each edge is rounded to a multiple of 8.
 */
export function a1111SizeFor(request: Pick<GenerateImageOptions, 'size' | 'aspectRatio'>, modelId: string): { width: number; height: number } {
  const exact = request.size ? parseExactSize(request.size) : undefined;
  if (exact) return exact;
  const baseEdge = baseEdgeFor(modelId);
  const edge = request.size && isImageSizePreset(request.size) ? (baseEdge * presetLongEdge[request.size]) / presetLongEdge['1K'] : baseEdge;
  const ratio = request.aspectRatio ? aspectRatioValue(request.aspectRatio) : 1;
  // Shrunk as a whole when the long edge would pass A1111's limit, so the ratio holds.
  const shrink = Math.min(1, a1111SizeRule.maxEdge / (edge * Math.sqrt(Math.max(ratio, 1 / ratio))));
  return { width: toEdge(edge * Math.sqrt(ratio) * shrink), height: toEdge((edge / Math.sqrt(ratio)) * shrink) };
}

function toEdge(pixels: number): number {
  const { multipleOf, maxEdge } = a1111SizeRule;
  return Math.min(maxEdge, Math.max(64, Math.round(pixels / multipleOf) * multipleOf));
}
