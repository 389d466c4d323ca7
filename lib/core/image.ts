/** Image types shared by providers, engine and server. */

export const supportedInputMimeTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type InputMimeType = (typeof supportedInputMimeTypes)[number];

/**
 * Every aspect ratio some model takes (Gemini's `imageConfig.aspectRatio` list is the widest).
 * A model advertises the ones it takes in its capabilities; anything else is a 400.
 */
export const aspectRatios = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9', '1:4', '4:1', '1:8', '8:1'] as const;
export type AspectRatio = (typeof aspectRatios)[number];

/** An image as bytes. */
export interface ImageData {
  bytes: Uint8Array;
  /** e.g. `image/png` */
  mimeType: string;
}

export interface InputImage extends ImageData {
  mimeType: InputMimeType;
}
