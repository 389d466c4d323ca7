import { GoogleGenAI, type GenerateContentResponse, type ImageConfig, type Part } from '@google/genai';
import {
  type GeneratedImage,
  type GenerateImageOptions,
  type ImageProvider,
  type ImageUsage,
  type ModelCapabilities,
} from '@/lib/core';
import { checkedImage } from '../shared/checked-image';
import { presetImageConfigOf } from '../shared/preset-image-config';
import { classifyGeminiError, classifyGeminiNoImage } from './classify-gemini-error';

export interface GeminiProviderOptions {
  /** A Gemini API key (sent as `x-goog-api-key`; never logged, never in an error). */
  apiKey: string;
  /** Endpoint override, e.g. a local fake: `http://127.0.0.1:4010`. @default the SDK's (Google's public endpoint) */
  baseUrl?: string;
  /** e.g. `gemini-nano-banana-2.1`. Model ids change often: keep them in config. */
  model: string;
  /**
   * What the model takes. Requests were checked against it before they got here; the adapter only
   * uses it to leave out what the model would refuse (`imageSize` on a model without sizes).
   * @default unknown: every option asked for is sent
   */
  capabilities?: ModelCapabilities;
  /** Timeout of one call, body included. @default 180000 (3 minutes) */
  timeoutMs?: number;
}

/** The API version whose generateContent serves image models (the SDK's default is `v1`). */
const apiVersion = 'v1beta';

/**
 * The Gemini adapter, on the official `@google/genai` SDK: one `generateContent` call per image.
 * The SDK's own retries stay off (its default): the engine retries, honouring RetryInfo.
 */
export function createGeminiProvider(options: GeminiProviderOptions): ImageProvider {
  const { apiKey, baseUrl, model, capabilities, timeoutMs = 180_000 } = options;
  const client = new GoogleGenAI({
    apiKey,
    apiVersion,
    httpOptions: { timeout: timeoutMs, ...(baseUrl ? { baseUrl } : {}) },
  });
  const secrets = [apiKey];

  return {
    id: 'gemini',
    modelId: model,
    isDemo: false,
    async generate(request, signal) {
      signal?.throwIfAborted();
      const { imageConfig, warnings } = imageConfigOf(request, capabilities);
      // The SDK validates arguments itself and throws plain Errors for what it refuses; so do a
      // failing socket and an odd body. Only whether `fetch` was reached tells them apart, and the
      // SDK's per-request `httpOptions.fetch` hook says so without touching `globalThis.fetch`. (With
      // a fetch of its own the SDK leaves undici's default 300 s header and body timeouts on; our
      // `timeoutMs` is shorter by default, and a longer one ends as `timeout` at 300 s anyway.)
      let wasRequestSent = false;
      const trackedFetch: typeof fetch = (input, init) => {
        wasRequestSent = true;
        return fetch(input, init);
      };
      let response: GenerateContentResponse;
      try {
        response = await client.models.generateContent({
          model,
          contents: [{ role: 'user', parts: partsOf(request) }],
          config: {
            responseModalities: ['IMAGE'],
            ...(imageConfig ? { imageConfig } : {}),
            httpOptions: { fetch: trackedFetch },
            ...(signal ? { abortSignal: signal } : {}),
          },
        });
      } catch (error) {
        throw classifyGeminiError(error, { signal, secrets, wasRequestSent });
      }
      const part = chosenImagePart(response);
      if (!part?.inlineData?.data) throw classifyGeminiNoImage(response, { secrets });
      // The bytes decide the type, whatever `mimeType` the part claims; garbage is a failed call.
      const image: GeneratedImage = checkedImage(new Uint8Array(Buffer.from(part.inlineData.data, 'base64')), 'Gemini');
      const usage = usageOf(response);
      if (usage) image.usage = usage;
      if (warnings.length > 0) image.warnings = warnings;
      return image;
    },
  };
}

/** The prompt first, then each input image as an `inlineData` part, in order. */
function partsOf(request: GenerateImageOptions): Part[] {
  const parts: Part[] = [{ text: request.prompt }];
  for (const inputImage of request.inputImages ?? []) {
    parts.push({ inlineData: { mimeType: inputImage.mimeType, data: Buffer.from(inputImage.bytes).toString('base64') } });
  }
  return parts;
}

/** `imageConfig` with only what was asked for; what Gemini cannot take becomes a warning. */
function imageConfigOf(
  request: GenerateImageOptions,
  capabilities: ModelCapabilities | undefined,
): { imageConfig?: ImageConfig; warnings: string[] } {
  const { aspectRatio, imageSize, warnings } = presetImageConfigOf(request, capabilities, { vendor: 'Gemini', refusal: 'Gemini does not take', formatOwner: 'its own' });
  const imageConfig: ImageConfig = { ...(aspectRatio ? { aspectRatio } : {}), ...(imageSize ? { imageSize } : {}) };
  return { imageConfig: Object.keys(imageConfig).length > 0 ? imageConfig : undefined, warnings };
}

/**
 * The image of the first candidate: the last image part that is not a thought. Gemini 3 image
 * models may send interim drafts as `thought: true` parts before the final image; when every image
 * is a thought, the last one is the best there is. Text parts are ignored.
 */
function chosenImagePart(response: GenerateContentResponse): Part | undefined {
  const imageParts = (response.candidates?.[0]?.content?.parts ?? []).filter(
    (part) => Boolean(part.inlineData?.data) && (part.inlineData?.mimeType ?? 'image/').startsWith('image/'),
  );
  return imageParts.findLast((part) => part.thought !== true) ?? imageParts.at(-1);
}

/** `usageMetadata` in our terms, with only the counts Gemini reported. */
function usageOf(response: GenerateContentResponse): ImageUsage | undefined {
  const metadata = response.usageMetadata;
  if (!metadata) return undefined;
  const usage: ImageUsage = {};
  if (metadata.promptTokenCount !== undefined) usage.inputTokens = metadata.promptTokenCount;
  if (metadata.candidatesTokenCount !== undefined) usage.outputTokens = metadata.candidatesTokenCount;
  if (metadata.thoughtsTokenCount !== undefined) usage.thoughtTokens = metadata.thoughtsTokenCount;
  if (metadata.totalTokenCount !== undefined) usage.totalTokens = metadata.totalTokenCount;
  return Object.keys(usage).length > 0 ? usage : undefined;
}
