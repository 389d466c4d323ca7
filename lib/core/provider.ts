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

/**
 * The request quota a provider reported alongside an answer (OpenAI's `x-ratelimit-*-requests`
 * headers). Adaptive pacing uses it; providers that send nothing leave it out.
 */
export interface RateLimitInfo {
  /** Requests allowed per minute (`x-ratelimit-limit-requests`). */
  limitRequestsPerMinute?: number;
  /** Requests left before the limit is reached (`x-ratelimit-remaining-requests`). */
  remainingRequests?: number;
  /** Time until the request quota is fully replenished, in milliseconds (`x-ratelimit-reset-requests`). */
  resetRequestsMs?: number;
}

export interface GeneratedImage extends ImageData {
  /** Options the provider could not honour (never errors). */
  warnings?: string[];
  /** The provider's quota as it reported it with this answer, when it did. */
  rateLimit?: RateLimitInfo;
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
