import { ProviderError, type GenerateImageOptions, type GeneratedImage, type ImageProvider, type ProviderErrorKind } from '@/lib/core';

/** A valid 2x2 opaque red PNG: what the controllable provider returns (a fresh copy per call). */
const tinyPngBase64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWP4z8DwH4QZYAwAR8oH+Xm0fdIAAAAASUVORK5CYII=';

export function tinyPng(): Uint8Array {
  return new Uint8Array(Buffer.from(tinyPngBase64, 'base64'));
}

export interface ProviderCall {
  request: GenerateImageOptions;
  signal?: AbortSignal;
  startedAtMs: number;
  settledAtMs?: number;
}

export interface ControllableProviderOptions {
  /** @default `fake` */
  id?: string;
  /** Real wait per call, in milliseconds (the queue tests run on real timers). @default 0 */
  delayMs?: number;
  /**
   * Whether a call fails, and how; consulted per call, so a test can change its mind before a retry.
   * @default every call succeeds
   */
  failWith?: (request: GenerateImageOptions) => ProviderErrorKind | undefined;
  /** When true, calls wait for `releaseAll()` (or their abort) before answering. @default false */
  isHolding?: boolean;
}

export interface ControllableProvider extends ImageProvider {
  readonly calls: ProviderCall[];
  /** Calls currently in flight, and the most ever seen at once. */
  readonly inFlight: { current: number; max: number };
  options: ControllableProviderOptions;
  /** Lets every held call (and every later one) answer. */
  releaseAll(): void;
}

/** A fake provider for queue and route tests: records each call, answers a real tiny PNG, can hold or fail calls. */
export function createControllableProvider(initial: ControllableProviderOptions = {}): ControllableProvider {
  const calls: ProviderCall[] = [];
  const inFlight = { current: 0, max: 0 };
  let releaseHeld: () => void = () => {};
  let released = new Promise<void>((resolve) => (releaseHeld = resolve));
  const id = initial.id ?? 'fake';

  const provider: ControllableProvider = {
    id,
    modelId: `${id}-model`,
    isDemo: false,
    calls,
    inFlight,
    options: { ...initial },
    releaseAll() {
      provider.options.isHolding = false;
      releaseHeld();
      released = new Promise<void>((resolve) => (releaseHeld = resolve));
    },
    async generate(request, signal): Promise<GeneratedImage> {
      const call: ProviderCall = { request, signal, startedAtMs: Date.now() };
      calls.push(call);
      inFlight.current += 1;
      inFlight.max = Math.max(inFlight.max, inFlight.current);
      try {
        if (provider.options.isHolding) await abortable(released, signal);
        if (provider.options.delayMs) await abortable(new Promise((resolve) => setTimeout(resolve, provider.options.delayMs)), signal);
        signal?.throwIfAborted();
        const kind = provider.options.failWith?.(request);
        if (kind) throw new ProviderError(kind, `Injected ${kind} for image ${request.index}`);
        return { bytes: tinyPng(), mimeType: 'image/png' };
      } finally {
        inFlight.current -= 1;
        call.settledAtMs = Date.now();
      }
    },
  };
  return provider;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
