import sharp from 'sharp';
import { ProviderError, sleep, type ImageProvider, type OutputFormat, type ProviderErrorKind } from '@/lib/core';
import { renderDemoPicture, transformDemoPicture } from './demo-picture';

export interface DemoProviderOptions {
  /** Simulated latency of one call. @default 0 */
  latencyMs?: number;
  /** 1-based indexes that fail (failure injection for demos and tests). @default [] */
  failIndexes?: number[];
  /** How injected failures are classified. @default 'safety_blocked' */
  failKind?: ProviderErrorKind;
  /** Inject failures only for prompts containing this text. @default always */
  failPromptMatch?: string;
}

export const demoModelId = 'demo-shapes-v1';

const mimeTypeByFormat: Record<OutputFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** The offline provider: deterministic pictures, no key, no network. Always labelled as a demo. */
export function createDemoProvider(options: DemoProviderOptions = {}): ImageProvider {
  const { latencyMs = 0, failIndexes = [], failKind = 'safety_blocked', failPromptMatch } = options;
  return {
    id: 'demo',
    modelId: demoModelId,
    isDemo: true,
    async generate(request, signal) {
      signal?.throwIfAborted();
      if (latencyMs > 0) await sleep(latencyMs, signal);
      const isFailureWanted =
        failIndexes.includes(request.index) && (failPromptMatch === undefined || request.prompt.includes(failPromptMatch));
      if (isFailureWanted) {
        throw new ProviderError(failKind, `Demo failure injected for image ${request.index}`, {
          details: `DEMO_FAIL_INDEXES includes ${request.index}`,
        });
      }
      // With several input images the demo transforms the first: it shows image-to-image, it does not compose.
      const [firstInput] = request.inputImages ?? [];
      const png = firstInput
        ? await transformDemoPicture(firstInput.bytes, request.prompt, request.index)
        : await renderDemoPicture(request.prompt, request.index, request.aspectRatio);
      const format = request.outputFormat ?? 'png';
      const bytes = format === 'png' ? png : await sharp(png).toFormat(format).toBuffer();
      signal?.throwIfAborted();
      return { bytes: new Uint8Array(bytes), mimeType: mimeTypeByFormat[format] };
    },
  };
}
