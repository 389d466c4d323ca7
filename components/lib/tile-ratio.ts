/**
 * The width/height ratio a gallery tile takes before its image has loaded: from the batch's size
 * (`WIDTHxHEIGHT`) when it names one, else its aspect ratio (`2:3`). The loaded image's natural size
 * corrects it when the provider made something else (`isRatioOff`).
 */
export function tileRatio(aspectRatio: string, size?: string): number {
  const pixels = size ? /^(\d+)x(\d+)$/.exec(size) : null;
  if (pixels) return positiveRatio(Number(pixels[1]), Number(pixels[2]));
  const parts = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(aspectRatio);
  return parts ? positiveRatio(Number(parts[1]), Number(parts[2])) : 1;
}

function positiveRatio(width: number, height: number): number {
  return width > 0 && height > 0 ? width / height : 1;
}

/** The natural size differs from the assumed ratio by more than rounding (1 %). */
export function isRatioOff(assumed: number, naturalWidth: number, naturalHeight: number): boolean {
  if (naturalWidth <= 0 || naturalHeight <= 0) return false;
  return Math.abs(naturalWidth / naturalHeight / assumed - 1) > 0.01;
}
