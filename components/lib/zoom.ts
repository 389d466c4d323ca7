/**
 * The lightbox's zoom and pan, as pure arithmetic. `scale` is in the image's own pixels (1 = real
 * full size, one image pixel per CSS pixel); `x`/`y` move the image's centre from the stage's centre,
 * in CSS pixels. "Fit" is a scale like any other, worked out from the stage and the image.
 */

export interface Size {
  width: number;
  height: number;
}

export interface ZoomView {
  scale: number;
  x: number;
  y: number;
}

/** Eight times the image's own pixels: enough to see them, not so much that panning gets lost. */
export const maxScale = 8;
/** One press of "+" or "-". */
export const zoomStep = 1.25;

/** The whole image in the stage, never enlarged past its own pixels (a small image stays sharp). */
export function fitScale(image: Size, stage: Size): number {
  if (image.width <= 0 || image.height <= 0 || stage.width <= 0 || stage.height <= 0) return 1;
  return Math.min(1, stage.width / image.width, stage.height / image.height);
}

export function fittedView(image: Size, stage: Size): ZoomView {
  return { scale: fitScale(image, stage), x: 0, y: 0 };
}

/**
 * The view zoomed by `factor` about `point` (relative to the stage's centre): the image pixel under
 * the point stays under it. The scale stays between fit and `maxScale`.
 */
export function zoomAbout(view: ZoomView, factor: number, point: { x: number; y: number }, image: Size, stage: Size): ZoomView {
  const minimum = fitScale(image, stage);
  const scale = Math.min(maxScale, Math.max(minimum, view.scale * factor));
  if (scale === minimum) return fittedView(image, stage);
  const ratio = scale / view.scale;
  return clampPan({ scale, x: point.x - (point.x - view.x) * ratio, y: point.y - (point.y - view.y) * ratio }, image);
}

/** Double-click: the image's own pixels about the point, or back to fit when already there. */
export function toggleActualSize(view: ZoomView, point: { x: number; y: number }, image: Size, stage: Size): ZoomView {
  const isActual = Math.abs(view.scale - 1) < 0.001;
  if (isActual) return fittedView(image, stage);
  return zoomAbout(view, 1 / view.scale, point, image, stage);
}

/** The view moved by a drag; the image always keeps the stage's centre covered. */
export function panBy(view: ZoomView, deltaX: number, deltaY: number, image: Size): ZoomView {
  return clampPan({ ...view, x: view.x + deltaX, y: view.y + deltaY }, image);
}

function clampPan(view: ZoomView, image: Size): ZoomView {
  const limitX = (image.width * view.scale) / 2;
  const limitY = (image.height * view.scale) / 2;
  return { scale: view.scale, x: clamp(view.x, -limitX, limitX), y: clamp(view.y, -limitY, limitY) };
}

const clamp = (value: number, minimum: number, maximum: number) => Math.min(maximum, Math.max(minimum, value));

/** Larger than fit: a drag pans instead of swiping to the next image. */
export function isZoomedIn(view: ZoomView, image: Size, stage: Size): boolean {
  return view.scale > fitScale(image, stage) + 0.001;
}

/** A horizontal swipe long enough (and more across than down): -1 for the next image, 1 for the previous, 0 for none. */
export function swipeDirection(deltaX: number, deltaY: number, minimumPx = 50): -1 | 0 | 1 {
  if (Math.abs(deltaX) < minimumPx || Math.abs(deltaX) < Math.abs(deltaY) * 1.5) return 0;
  return deltaX < 0 ? -1 : 1;
}
