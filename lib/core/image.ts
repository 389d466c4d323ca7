/** Image types shared by providers, engine and server. */

export const supportedInputMimeTypes = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type InputMimeType = (typeof supportedInputMimeTypes)[number];

export const aspectRatios = ['1:1', '2:3', '3:2', '3:4', '4:3', '9:16', '16:9'] as const;
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
