import OpenAI, { toFile } from 'openai';
import { ProviderError, type AspectRatio, type ImageProvider, type InputMimeType } from '@/lib/core';
import { classifyOpenAIError, openAIKindForStatus, rateLimitInfoOf } from './classify-openai-error';

export interface OpenAIProviderOptions {
  /** An OpenAI API key (sent as a bearer token; never logged, never in an error). */
  apiKey: string;
  /** Endpoint override ending in `/v1`, e.g. a local fake or an OpenAI-compatible server. @default the SDK's (`OPENAI_BASE_URL` or OpenAI's public endpoint) */
  baseUrl?: string;
  /** e.g. `gpt-image-1`. */
  model: string;
  /** Timeout of one call, image download included. @default 180000 (3 minutes) */
  timeoutMs?: number;
}

type GptImageSize = '1024x1024' | '1024x1536' | '1536x1024';

/** The nearest GPT Image size per aspect ratio; `isExact` false means the picture will not have the asked ratio. */
const sizeByAspectRatio: Record<AspectRatio, { size: GptImageSize; isExact: boolean }> = {
  '1:1': { size: '1024x1024', isExact: true },
  '2:3': { size: '1024x1536', isExact: true },
  '3:4': { size: '1024x1536', isExact: false },
  '9:16': { size: '1024x1536', isExact: false },
  '3:2': { size: '1536x1024', isExact: true },
  '4:3': { size: '1536x1024', isExact: false },
  '16:9': { size: '1536x1024', isExact: false },
};

const fileNameByMimeType: Record<InputMimeType, string> = {
  'image/png': 'input.png',
  'image/jpeg': 'input.jpg',
  'image/webp': 'input.webp',
};

const mimeTypeByOutputFormat: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  svg: 'image/svg+xml',
};

/**
 * The OpenAI adapter, on the official `openai` SDK: `images.generate` for text-to-image,
 * `images.edit` for image-to-image, one image per call. The SDK's retries are off: the engine retries.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): ImageProvider {
  const { apiKey, baseUrl, model, timeoutMs = 180_000 } = options;
  const client = new OpenAI({ apiKey, maxRetries: 0, timeout: timeoutMs, ...(baseUrl ? { baseURL: baseUrl } : {}) });
  const secrets = [apiKey];

  return {
    id: 'openai',
    modelId: model,
    isDemo: false,
    async generate(request, signal) {
      signal?.throwIfAborted();
      const deadlineMs = Date.now() + timeoutMs;
      const sizing = request.aspectRatio ? sizeByAspectRatio[request.aspectRatio] : undefined;
      const warnings =
        request.aspectRatio && sizing && !sizing.isExact
          ? [`Aspect ratio ${request.aspectRatio} is not available on ${model}; generated ${sizing.size} instead`]
          : [];
      const common = { model, prompt: request.prompt, n: 1, ...(sizing ? { size: sizing.size } : {}) };
      const requestOptions = signal ? { signal } : undefined;

      let response: OpenAI.ImagesResponse;
      let headers: Headers;
      try {
        if (request.inputImage) {
          const { bytes, mimeType } = request.inputImage;
          // A real image MIME type per part: the API rejects application/octet-stream.
          const image = await toFile(bytes, fileNameByMimeType[mimeType], { type: mimeType });
          ({ data: response, response: { headers } } = await client.images.edit({ ...common, image }, requestOptions).withResponse());
        } else {
          ({ data: response, response: { headers } } = await client.images.generate(common, requestOptions).withResponse());
        }
      } catch (error) {
        throw classifyOpenAIError(error, { signal, secrets });
      }

      const first = response.data?.[0];
      const formatMimeType = response.output_format ? mimeTypeByOutputFormat[response.output_format] : undefined;
      let image: { bytes: Uint8Array; mimeType: string };
      if (first?.b64_json) {
        image = { bytes: new Uint8Array(Buffer.from(first.b64_json, 'base64')), mimeType: formatMimeType ?? 'image/png' };
      } else if (first?.url) {
        image = await download(new URL(first.url, `${client.baseURL}/`), { signal, deadlineMs, secrets, formatMimeType });
      } else {
        throw new ProviderError('transient', 'OpenAI returned no image', {
          details: `data had ${response.data?.length ?? 0} entries without b64_json or url`,
        });
      }
      if (image.bytes.byteLength === 0) throw new ProviderError('transient', 'OpenAI returned an empty image');
      // The request quota OpenAI reports on every answer: adaptive pacing paces right at it.
      const rateLimit = rateLimitInfoOf(headers);
      return { ...image, ...(warnings.length > 0 ? { warnings } : {}), ...(rateLimit ? { rateLimit } : {}) };
    },
  };
}

/**
 * Fetches a `data[].url` image (OpenAI-compatible servers answer so). No API key goes with it: the
 * URL may point anywhere. Bounded by what is left of the call's timeout, and by the caller's signal.
 */
async function download(
  url: URL,
  context: { signal?: AbortSignal; deadlineMs: number; secrets: readonly string[]; formatMimeType?: string },
): Promise<{ bytes: Uint8Array; mimeType: string }> {
  const { signal, deadlineMs, secrets, formatMimeType } = context;
  if (!['http:', 'https:', 'data:'].includes(url.protocol)) {
    throw new ProviderError('invalid_request', 'OpenAI returned an image URL that cannot be fetched', {
      details: `unsupported scheme ${url.protocol}`,
    });
  }
  const timeout = AbortSignal.timeout(Math.max(1, deadlineMs - Date.now()));
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!response.ok) {
      await response.body?.cancel();
      // Rate limits and overload keep their meaning; any other failure to fetch a file the server
      // just made is a glitch on its side (a 404 here is not a missing model).
      const kind = response.status === 429 || response.status === 503 ? openAIKindForStatus(response.status) : 'transient';
      throw new ProviderError(kind, `Could not download the image (HTTP ${response.status})`, {
        status: response.status,
        details: `GET ${url.origin}${url.pathname} answered ${response.status} ${response.statusText}`,
      });
    }
    const contentType = response.headers.get('content-type')?.split(';')[0].trim();
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { bytes, mimeType: contentType?.startsWith('image/') ? contentType : (formatMimeType ?? 'image/png') };
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw classifyOpenAIError(error, { signal, secrets });
  }
}
