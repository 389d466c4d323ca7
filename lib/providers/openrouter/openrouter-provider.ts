import {
  ProviderError,
  type GeneratedImage,
  type GenerateImageOptions,
  type ImageProvider,
  type ImageUsage,
  type ModelCapabilities,
} from '@/lib/core';
import { checkedImage } from '../shared/checked-image';
import { presetImageConfigOf } from '../shared/preset-image-config';
import { classifyOpenRouterHttpError, classifyOpenRouterNoImage, classifyOpenRouterThrown } from './classify-openrouter-error';
import { openRouterImageModels } from './openrouter-model-list';
import { openrouterModels, type OutputModalities } from './openrouter-models';
import { openRouterRateLimitOf } from './openrouter-rate-limit';
import { bytesOfDataUrl, chatCompletionSchema, textOf, type ChatCompletion } from './openrouter-wire';

export interface OpenRouterProviderOptions {
  /** An OpenRouter API key (sent as `Authorization: Bearer`; never logged, never in an error). */
  apiKey: string;
  /** Endpoint override ending in `/api/v1` (a local fake). @default 'https://openrouter.ai/api/v1' */
  baseUrl?: string;
  /** e.g. `google/gemini-2.5-flash-image`. */
  model: string;
  /** What the model takes; used to leave out what it would refuse (`image_size`). @default every option asked for is sent */
  capabilities?: ModelCapabilities;
  /** Timeout of one call, body included. @default 180000 (3 minutes) */
  timeoutMs?: number;
  /** Sent as `HTTP-Referer`: OpenRouter attributes the app's traffic to it. @default not sent */
  appUrl?: string;
  /** Sent as `X-Title`, the app's name on OpenRouter's rankings. @default 'imagegen' */
  appTitle?: string;
}

export const defaultOpenRouterBaseUrl = 'https://openrouter.ai/api/v1';

/**
 * The OpenRouter adapter: one `POST /chat/completions` with `modalities` per image, over `fetch`
 * (OpenRouter's chat API is OpenAI-shaped, but the `openai` SDK types neither `modalities` nor
 * `message.images`, and fetch keeps the answer's headers for pacing). It never retries itself.
 */
export function createOpenRouterProvider(options: OpenRouterProviderOptions): ImageProvider {
  const { apiKey, model, capabilities, timeoutMs = 180_000, appUrl, appTitle = 'imagegen' } = options;
  const baseUrl = (options.baseUrl ?? defaultOpenRouterBaseUrl).replace(/\/+$/, '');
  const endpoint = `${baseUrl}/chat/completions`;
  const classifyOptions = { secrets: [apiKey] };
  const knownModalities = openrouterModels.find((known) => known.id === model)?.modalities;

  /**
   * A known model's modalities; for another id, what OpenRouter's listing says it answers with
   * (`["image"]` for image-only models). An id the listing has but not as an image model fails at
   * once; without a listing, `["image","text"]` is the common case.
   */
  async function modalitiesFor(): Promise<OutputModalities> {
    if (knownModalities) return knownModalities;
    const listing = await openRouterImageModels(baseUrl, { apiKey });
    if (!listing) return ['image', 'text'];
    const modalities = listing.get(model);
    if (!modalities) {
      throw new ProviderError('not_found', `${model} is not an image model on OpenRouter`, {
        details: 'not among the models GET /api/v1/models lists with image output; see https://openrouter.ai/models?output_modalities=image',
      });
    }
    return modalities;
  }

  return {
    id: 'openrouter',
    modelId: model,
    isDemo: false,
    async generate(request, signal) {
      signal?.throwIfAborted();
      const { imageConfig, warnings } = imageConfigOf(request, capabilities);
      const modalities = await modalitiesFor();
      signal?.throwIfAborted();
      const timeoutSignal = AbortSignal.timeout(timeoutMs);
      let status: number;
      let headers: Headers;
      let body: unknown;
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            'x-title': appTitle,
            ...(appUrl ? { 'http-referer': appUrl } : {}),
          },
          body: JSON.stringify({
            model,
            messages: [{ role: 'user', content: contentOf(request) }],
            modalities,
            ...(imageConfig ? { image_config: imageConfig } : {}),
            stream: false,
          }),
          signal: signal ? AbortSignal.any([signal, timeoutSignal]) : timeoutSignal,
        });
        status = response.status;
        headers = response.headers;
        const text = await response.text();
        body = parseJsonOr(text);
      } catch (error) {
        throw classifyOpenRouterThrown(error, { callerSignal: signal, timeoutSignal }, classifyOptions);
      }
      if (status < 200 || status >= 300) throw classifyOpenRouterHttpError(status, body, headers, classifyOptions);
      // OpenRouter may answer 200 with an error envelope when the upstream failed after routing.
      if (typeof body === 'object' && body !== null && 'error' in body && !('choices' in body)) {
        const code = (body as { error?: { code?: unknown } }).error?.code;
        throw classifyOpenRouterHttpError(typeof code === 'number' ? code : 502, body, headers, classifyOptions);
      }
      const parsed = chatCompletionSchema.safeParse(body);
      if (!parsed.success) {
        throw new ProviderError('transient', 'OpenRouter answered with a malformed body', { details: parsed.error.issues[0]?.message });
      }
      const image: GeneratedImage = imageOf(parsed.data, classifyOptions);
      const usage = usageOf(parsed.data);
      if (usage) image.usage = usage;
      const rateLimit = openRouterRateLimitOf(headers);
      if (rateLimit) image.rateLimit = rateLimit;
      if (warnings.length > 0) image.warnings = warnings;
      return image;
    },
  };
}

/** The prompt alone, or (image-to-image) the prompt then each input image as a data-URL `image_url` part. */
function contentOf(request: GenerateImageOptions): string | object[] {
  const inputImages = request.inputImages ?? [];
  if (inputImages.length === 0) return request.prompt;
  return [
    { type: 'text', text: request.prompt },
    ...inputImages.map((image) => ({
      type: 'image_url',
      image_url: { url: `data:${image.mimeType};base64,${Buffer.from(image.bytes).toString('base64')}` },
    })),
  ];
}

/** `image_config` with only what was asked for; what OpenRouter cannot take becomes a warning. */
function imageConfigOf(
  request: GenerateImageOptions,
  capabilities: ModelCapabilities | undefined,
): { imageConfig?: { aspect_ratio?: string; image_size?: string }; warnings: string[] } {
  const { aspectRatio, imageSize, warnings } = presetImageConfigOf(request, capabilities, {
    vendor: 'OpenRouter',
    refusal: 'OpenRouter image models do not take',
    formatOwner: "the model's own",
  });
  const imageConfig = { ...(aspectRatio ? { aspect_ratio: aspectRatio } : {}), ...(imageSize ? { image_size: imageSize } : {}) };
  return { imageConfig: Object.keys(imageConfig).length > 0 ? imageConfig : undefined, warnings };
}

/** The first image of the first choice, decoded and checked; no image → the model's text as the reason. */
function imageOf(completion: ChatCompletion, classifyOptions: { secrets: string[] }): GeneratedImage {
  const choice = completion.choices?.[0];
  const url = choice?.message?.images?.[0]?.image_url.url;
  if (url === undefined) {
    throw classifyOpenRouterNoImage({ text: textOf(choice?.message?.content), finishReason: choice?.finish_reason }, classifyOptions);
  }
  const bytes = bytesOfDataUrl(url);
  if (!bytes) throw new ProviderError('transient', 'OpenRouter returned an image that is not a base64 data URL', { details: url.slice(0, 40) });
  return checkedImage(bytes, 'OpenRouter');
}

function usageOf(completion: ChatCompletion): ImageUsage | undefined {
  const reported = completion.usage;
  if (!reported) return undefined;
  const usage: ImageUsage = {};
  if (reported.prompt_tokens !== undefined) usage.inputTokens = reported.prompt_tokens;
  if (reported.completion_tokens !== undefined) usage.outputTokens = reported.completion_tokens;
  if (reported.total_tokens !== undefined) usage.totalTokens = reported.total_tokens;
  return Object.keys(usage).length > 0 ? usage : undefined;
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
