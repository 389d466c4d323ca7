import type { ImageData, InputImage } from './image';
import type { ImageOptions } from './image-options';
import type { ImageUsage } from './usage';

/**
 * What one provider call is asked to make: exactly one image. The options were checked against
 * the model's capabilities before; an adapter maps them to its wire.
 */
export interface GenerateImageOptions extends ImageOptions {
  prompt: string;
  /** 1-based position of this image in its batch (demo uses it; real providers ignore it). */
  index: number;
  /** Present for image-to-image: one or more, up to the model's `maxInputImages`. */
  inputImages?: InputImage[];
  /**
   * Told how far the image has come, when the provider reports it (local diffusion servers report
   * sampler steps). Best effort and only informative: it must not throw, and it is never required.
   */
  onProgress?: (progress: ImageProgress) => void;
}

/** How far one image has come: sampler step `step` of `totalSteps` (1-based; `step` may reach `totalSteps`). */
export interface ImageProgress {
  step: number;
  totalSteps: number;
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
  /** What the provider reported spending on this image, when it did. */
  usage?: ImageUsage;
  /** The seed the image was made with, as the provider reports it (local diffusion servers: A1111, ComfyUI), so the image can be made again. */
  seed?: number;
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
