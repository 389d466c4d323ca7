import type { AspectRatio, ImageData, InputImage } from './image';

/** What one provider call is asked to make: exactly one image. */
export interface GenerateImageOptions {
  prompt: string;
  /** 1-based position of this image in its batch (demo uses it; real providers ignore it). */
  index: number;
  /** @default provider's default, usually 1:1 */
  aspectRatio?: AspectRatio;
  /** Present for image-to-image. */
  inputImage?: InputImage;
}

export interface GeneratedImage extends ImageData {
  /** Options the provider could not honour (never errors). */
  warnings?: string[];
}

/**
 * One narrow interface: one call, one image, or a thrown `ProviderError`.
 * Adapters classify their vendor's errors; they never retry on their own.
 */
export interface ImageProvider {
  /** `gemini`, `openai`, `demo`, ... */
  readonly id: string;
  readonly modelId: string;
  /** True for the offline demo provider: the UI labels it, it is never presented as AI. */
  readonly isDemo: boolean;
  generate(options: GenerateImageOptions, signal?: AbortSignal): Promise<GeneratedImage>;
}
