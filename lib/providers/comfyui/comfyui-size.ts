import { aspectRatioValue, isImageSizePreset, parseExactSize, presetLongEdge, type ImageOptions } from '@/lib/core';
import type { WorkflowTemplate } from './workflow-template';

/** Latent images are 1/8 of the pixels: ComfyUI's samplers need width and height in multiples of 8. */
export const comfyUISizeMultiple = 8;

export interface ComfyUISize {
  width: number;
  height: number;
  warnings: string[];
}

/**
 * Width and height for the neutral `aspectRatio` and `size`, or undefined when neither is asked
 * for (the template's own size stays). A preset (`1K`…) sets the long edge; with only an aspect
 * ratio, the template's long edge is kept, so an SD1.5 graph stays near its native 512.
 */
export function comfyUISizeFor(options: ImageOptions, template: WorkflowTemplate): ComfyUISize | undefined {
  const { aspectRatio, size } = options;
  if (!aspectRatio && !size) return undefined;
  const warnings: string[] = [];
  const exact = size ? parseExactSize(size) : undefined;
  if (exact) {
    const width = roundToMultiple(exact.width);
    const height = roundToMultiple(exact.height);
    if (width !== exact.width || height !== exact.height) warnings.push(`size ${size} rounded to ${width}x${height} (multiples of ${comfyUISizeMultiple})`);
    if (aspectRatio) warnings.push(`aspectRatio ${aspectRatio} ignored: size ${size} is exact`);
    return { width, height, warnings };
  }
  const longEdge = size && isImageSizePreset(size) ? presetLongEdge[size] : templateLongEdge(template);
  const ratio = aspectRatio ? aspectRatioValue(aspectRatio) : templateRatio(template);
  const width = roundToMultiple(ratio >= 1 ? longEdge : longEdge * ratio);
  const height = roundToMultiple(ratio >= 1 ? longEdge / ratio : longEdge);
  return { width, height, warnings };
}

function roundToMultiple(pixels: number): number {
  return Math.max(comfyUISizeMultiple, Math.round(pixels / comfyUISizeMultiple) * comfyUISizeMultiple);
}

/** The template's width and height where the mapping points, when they are numbers. */
function templateSize(template: WorkflowTemplate): { width: number; height: number } | undefined {
  const { width, height } = template.mapping;
  const widthValue = width ? template.workflow[width.node]?.inputs[width.input] : undefined;
  const heightValue = height ? template.workflow[height.node]?.inputs[height.input] : undefined;
  return typeof widthValue === 'number' && typeof heightValue === 'number' && widthValue > 0 && heightValue > 0
    ? { width: widthValue, height: heightValue }
    : undefined;
}

/** SDXL's native edge, used when the template's size cannot be read. */
const fallbackLongEdge = 1024;

function templateLongEdge(template: WorkflowTemplate): number {
  const size = templateSize(template);
  return size ? Math.max(size.width, size.height) : fallbackLongEdge;
}

function templateRatio(template: WorkflowTemplate): number {
  const size = templateSize(template);
  return size ? size.width / size.height : 1;
}
