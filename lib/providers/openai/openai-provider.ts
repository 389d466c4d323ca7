import OpenAI, { toFile } from 'openai';
import {
  ProviderError,
  type GenerateImageOptions,
  type ImageData,
  type ImageProvider,
  type ImageUsage,
  type InputImage,
  type InputMimeType,
  type ModelCapabilities,
} from '@/lib/core';
import { checkedImage } from '../shared/checked-image';
import { classifyOpenAIError, openAIKindForStatus, rateLimitInfoOf } from './classify-openai-error';
import { openaiModels, unknownOpenAICapabilities } from './openai-models';
import { openAISizeFor } from './openai-size';

export interface OpenAIProviderOptions {
  /** An OpenAI API key (sent as a bearer token; never logged, never in an error). */
  apiKey: string;
  /** Endpoint override ending in `/v1`, e.g. a local fake or an OpenAI-compatible server. @default the SDK's (`OPENAI_BASE_URL` or OpenAI's public endpoint) */
  baseUrl?: string;
  /** e.g. `gpt-image-2.5-flare`. */
  model: string;
  /**
   * What the model takes; decides how sizes are sent (any `WxH`, or the nearest fixed size).
   * @default the known model's (`openai-models.ts`), else the fixed-size set every GPT Image model takes
   */
  capabilities?: ModelCapabilities;
  /** Timeout of one call, image download included. @default 180000 (3 minutes) */
  timeoutMs?: number;
}

const fileExtensionByMimeType: Record<InputMimeType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/**
 * The OpenAI adapter, on the official `openai` SDK: `images.generate` for text-to-image,
 * `images.edit` for image-to-image, one image per call. The SDK's retries are off: the engine retries.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): ImageProvider {
  const { apiKey, baseUrl, model, timeoutMs = 180_000 } = options;
  const capabilities = options.capabilities ?? openaiModels.find(({ id }) => id === model)?.capabilities ?? unknownOpenAICapabilities();
  const client = new OpenAI({ apiKey, maxRetries: 0, timeout: timeoutMs, ...(baseUrl ? { baseURL: baseUrl } : {}) });
  const secrets = [apiKey];

  return {
    id: 'openai',
    modelId: model,
    isDemo: false,
    async generate(request, signal) {
      signal?.throwIfAborted();
      const deadlineMs = Date.now() + timeoutMs;
      const { size, warnings } = openAISizeFor(request, capabilities, model);
      const params = { model, prompt: request.prompt, n: 1, ...(size ? { size } : {}), ...optionalParams(request) };

      // Whether this call reached `fetch`: an error before it is the SDK refusing to build the request.
      let isRequestSent = false;
      const requestOptions = signal ? { signal } : undefined;
      let response: OpenAI.ImagesResponse;
      let headers: Headers;
      try {
        const callClient = client.withOptions({
          fetch: (url, init) => {
            isRequestSent = true;
            return fetch(url, init);
          },
        });
        const inputImages = request.inputImages ?? [];
        if (inputImages.length > 0) {
          const files = await Promise.all(inputImages.map(toInputFile));
          // One file goes as `image`, several as the SDK's array (`image[]` parts).
          const image = files.length === 1 ? files[0]! : files;
          ({ data: response, response: { headers } } = await callClient.images.edit({ ...params, image }, requestOptions).withResponse());
        } else {
          ({ data: response, response: { headers } } = await callClient.images.generate(params, requestOptions).withResponse());
        }
      } catch (error) {
        throw classifyOpenAIError(error, { signal, secrets, isRequestSent });
      }

      const first = response.data?.[0];
      let image: ImageData;
      if (first?.b64_json) {
        image = checkedImage(new Uint8Array(Buffer.from(first.b64_json, 'base64')), 'OpenAI');
      } else if (first?.url) {
        image = checkedImage(await download(new URL(first.url, `${client.baseURL}/`), { signal, deadlineMs, secrets }), 'OpenAI');
      } else {
        throw new ProviderError('transient', 'OpenAI returned no image', {
          details: `data had ${response.data?.length ?? 0} entries without b64_json or url`,
        });
      }
      // The request quota OpenAI reports on every answer: adaptive pacing paces right at it.
      const rateLimit = rateLimitInfoOf(headers);
      const usage = usageOf(response.usage);
      return {
        ...image,
        ...(warnings.length > 0 ? { warnings } : {}),
        ...(rateLimit ? { rateLimit } : {}),
        ...(usage ? { usage } : {}),
      };
    },
  };
}

/** `quality`, `output_format` and `background`, each only when asked for (the model's defaults apply). */
function optionalParams(request: GenerateImageOptions) {
  return {
    ...(request.quality ? { quality: request.quality } : {}),
    ...(request.outputFormat ? { output_format: request.outputFormat } : {}),
    ...(request.background ? { background: request.background } : {}),
  };
}

/** A file part with its real MIME type: the API rejects `application/octet-stream`. */
function toInputFile({ bytes, mimeType }: InputImage, index: number, all: readonly InputImage[]) {
  const name = all.length === 1 ? 'input' : `input-${index + 1}`;
  return toFile(bytes, `${name}.${fileExtensionByMimeType[mimeType]}`, { type: mimeType });
}

/** OpenAI's `usage`, in our words; only the fields it sent. Undefined when it sent none. */
function usageOf(usage: OpenAI.ImagesResponse['usage'] | undefined): ImageUsage | undefined {
  if (!usage) return undefined;
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const fields: ImageUsage = {
    inputTokens: number(usage.input_tokens),
    inputImageTokens: number(usage.input_tokens_details?.image_tokens),
    outputTokens: number(usage.output_tokens),
    totalTokens: number(usage.total_tokens),
  };
  const present = Object.entries(fields).filter(([, value]) => value !== undefined);
  return present.length > 0 ? (Object.fromEntries(present) as ImageUsage) : undefined;
}

/**
 * Fetches a `data[].url` image (OpenAI-compatible servers answer so). No API key goes with it: the
 * URL may point anywhere. Bounded by what is left of the call's timeout, and by the caller's signal.
 */
async function download(url: URL, context: { signal?: AbortSignal; deadlineMs: number; secrets: readonly string[] }): Promise<Uint8Array> {
  const { signal, deadlineMs, secrets } = context;
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
    // The bytes say what they are (checkedImage), whatever Content-Type the server sent.
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw classifyOpenAIError(error, { signal, secrets });
  }
}
