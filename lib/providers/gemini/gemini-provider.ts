import { GoogleGenAI, type GenerateContentResponse, type Part } from '@google/genai';
import type { GeneratedImage, ImageProvider } from '@/lib/core';
import { classifyGeminiError, classifyGeminiNoImage } from './classify-gemini-error';

export interface GeminiProviderOptions {
  /** A Gemini API key (sent as `x-goog-api-key`; never logged, never in an error). */
  apiKey: string;
  /** Endpoint override, e.g. a local fake: `http://127.0.0.1:4010`. @default the SDK's (Google's public endpoint) */
  baseUrl?: string;
  /** e.g. `gemini-2.5-flash-image`. Model ids change often: keep them in config. */
  model: string;
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
  const { apiKey, baseUrl, model, timeoutMs = 180_000 } = options;
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
      const parts: Part[] = [{ text: request.prompt }];
      if (request.inputImage) {
        parts.push({
          inlineData: { mimeType: request.inputImage.mimeType, data: Buffer.from(request.inputImage.bytes).toString('base64') },
        });
      }
      let response: GenerateContentResponse;
      try {
        response = await client.models.generateContent({
          model,
          contents: [{ role: 'user', parts }],
          config: {
            responseModalities: ['IMAGE'],
            ...(request.aspectRatio ? { imageConfig: { aspectRatio: request.aspectRatio } } : {}),
            ...(signal ? { abortSignal: signal } : {}),
          },
        });
      } catch (error) {
        throw classifyGeminiError(error, { signal, secrets });
      }
      const image = firstImageOf(response);
      if (!image) throw classifyGeminiNoImage(response, { secrets });
      return image;
    },
  };
}

/** The first inline image of the first candidate; text parts around it are ignored, as are further images. */
function firstImageOf(response: GenerateContentResponse): GeneratedImage | undefined {
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    const inlineData = part.inlineData;
    const mimeType = inlineData?.mimeType ?? 'image/png';
    if (!inlineData?.data || !mimeType.startsWith('image/')) continue;
    const bytes = new Uint8Array(Buffer.from(inlineData.data, 'base64'));
    if (bytes.byteLength > 0) return { bytes, mimeType };
  }
  return undefined;
}
