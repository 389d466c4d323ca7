import { onTestFinished } from 'vitest';
import type { GenerateImageOptions, GeneratedImage, ImageProvider } from '@/lib/core';
import { sleep } from '@/lib/core';

/**
 * A fake provider for engine tests that does exactly what the test scripts, per image index and
 * attempt, and fails the test when it is called for anything unscripted.
 */

/** What one call does. `delayMs` is waited with setTimeout (fake timers control it). */
export type ScriptedStep =
  | {
      type: 'image';
      /** @default 0 */
      delayMs?: number;
      /** Return the image even if aborted during the delay (a call that finished regardless). @default false */
      isIgnoringAbort?: boolean;
    }
  | {
      type: 'error';
      /** Thrown after the delay: usually a `ProviderError`. */
      error: unknown;
      /** @default 0 */
      delayMs?: number;
    }
  /** Never settles until the signal aborts, then rejects with its reason. */
  | { type: 'hang' };

export const succeed = (options: { delayMs?: number; isIgnoringAbort?: boolean } = {}): ScriptedStep => ({ type: 'image', ...options });
export const fail = (error: unknown, options: { delayMs?: number } = {}): ScriptedStep => ({ type: 'error', error, ...options });
export const hang = (): ScriptedStep => ({ type: 'hang' });

/** Counts calls in flight; share one between providers to measure a lane used by several batches. */
export interface InFlightMeter {
  current: number;
  max: number;
}

export const createInFlightMeter = (): InFlightMeter => ({ current: 0, max: 0 });

export interface ScriptedCall {
  index: number;
  /** 1-based count of calls for this index. */
  attempt: number;
  /** `Date.now()` when the call began. */
  startedAtMs: number;
  /** `Date.now()` when it settled; undefined while in flight. */
  settledAtMs?: number;
  signal?: AbortSignal;
  request: GenerateImageOptions;
}

export interface ScriptedProviderOptions {
  /** Steps per 1-based image index, one per attempt, in order. */
  script: Record<number, ScriptedStep[]>;
  /** @default a fresh meter, exposed as `provider.inFlight` */
  inFlightMeter?: InFlightMeter;
  /** @default `scripted` */
  id?: string;
}

export interface ScriptedProvider extends ImageProvider {
  readonly calls: readonly ScriptedCall[];
  readonly inFlight: InFlightMeter;
  callsFor(index: number): ScriptedCall[];
}

/** Every image gets the same steps: `scriptEvery(4, [succeed()])` scripts indexes 1 to 4. */
export function scriptEvery(count: number, steps: ScriptedStep[]): Record<number, ScriptedStep[]> {
  return Object.fromEntries(Array.from({ length: count }, (_, offset) => [offset + 1, steps]));
}

/** The bytes a scripted image carries: its index and attempt, so tests can tell them apart. */
export function scriptedImageBytes(index: number, attempt: number): Uint8Array {
  return new Uint8Array([index, attempt]);
}

export function createScriptedProvider({ script, inFlightMeter = createInFlightMeter(), id = 'scripted' }: ScriptedProviderOptions): ScriptedProvider {
  const calls: ScriptedCall[] = [];
  const unexpected: string[] = [];
  onTestFinished(() => {
    if (unexpected.length > 0) throw new Error(`Scripted provider called unexpectedly:\n${unexpected.join('\n')}`);
  });

  return {
    id,
    modelId: `${id}-model`,
    isDemo: false,
    calls,
    inFlight: inFlightMeter,
    callsFor: (index) => calls.filter((call) => call.index === index),
    async generate(request, signal) {
      const attempt = calls.filter((call) => call.index === request.index).length + 1;
      const call: ScriptedCall = { index: request.index, attempt, startedAtMs: Date.now(), signal, request };
      calls.push(call);
      const step = script[request.index]?.[attempt - 1];
      if (!step) {
        const message = `no step for index ${request.index}, attempt ${attempt} (at ${call.startedAtMs} ms)`;
        unexpected.push(message);
        throw new Error(`Scripted provider: ${message}`);
      }
      inFlightMeter.current += 1;
      inFlightMeter.max = Math.max(inFlightMeter.max, inFlightMeter.current);
      try {
        return await perform(step, request.index, attempt, signal);
      } finally {
        inFlightMeter.current -= 1;
        call.settledAtMs = Date.now();
      }
    },
  };
}

async function perform(step: ScriptedStep, index: number, attempt: number, signal: AbortSignal | undefined): Promise<GeneratedImage> {
  if (step.type === 'hang') {
    await waitForAbort(signal);
    throw signal?.reason;
  }
  const abortSignal = step.type === 'image' && step.isIgnoringAbort ? undefined : signal;
  // Like a real adapter: an abort interrupts the wait and is rethrown. No delay: settle without a timer.
  if (step.delayMs) await sleep(step.delayMs, abortSignal);
  abortSignal?.throwIfAborted();
  if (step.type === 'error') throw step.error;
  return { bytes: scriptedImageBytes(index, attempt), mimeType: 'image/png' };
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // Hangs for good: a test that scripts `hang` without a signal is stuck by design.
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
