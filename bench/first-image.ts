import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GET as getBatchEvents } from '@/app/api/batches/[id]/events/route';
import { POST as postBatch } from '@/app/api/batches/route';
import { POST as postGenerate } from '@/app/api/generate/route';
import { resetApp } from '@/lib/server';
import { imageModelLatency, startProviderSimulator, type ProviderSimulator } from '@/lib/providers/testing';

/**
 * Time until the first image is visible: the classic JSON response (every image at once, when the
 * last is done) against the same route streaming SSE (`Accept: text/event-stream`, each image in
 * its `item-end`), and a background batch (POST /api/batches, then its SSE events route). In
 * process, through the route handlers, the app on the Gemini adapter pointed at the simulator (no
 * quota pressure), default pacing (sequential, 500 ms, scaled like the latency).
 */

export interface FirstImageResult {
  images: number;
  /** `classic`: POST /api/generate, JSON then SSE; `background`: POST /api/batches + its events (no classic figure). */
  path: 'classic' | 'background';
  /** Simulated ms from the request to the first image in hand. */
  classicFirstImageMs: number;
  sseFirstImageMs: number;
  /** Simulated ms until the response (or the stream) ended. */
  classicTotalMs: number;
  sseTotalMs: number;
}

export async function runFirstImage(options: { images: number; timeFactor: number; seed?: number }): Promise<FirstImageResult> {
  const { images, timeFactor } = options;
  const measure = async (isStreaming: boolean) => {
    // A fresh simulator per run, same seed: both responses wait for the same latencies.
    const simulator = await startSimulatedApp(timeFactor, options.seed);
    try {
      const startedAtMs = performance.now();
      const request = new Request('http://127.0.0.1/api/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(isStreaming ? { accept: 'text/event-stream' } : {}) },
        body: JSON.stringify({ prompt: 'a lighthouse at dusk', numberOfImages: images }),
      });
      const response = await postGenerate(request);
      if (!isStreaming) {
        const body = (await response.json()) as { images?: unknown[] };
        if (body.images?.length !== images) throw new Error(`classic response had ${body.images?.length ?? 0} images`);
        const totalMs = (performance.now() - startedAtMs) / timeFactor;
        return { firstImageMs: totalMs, totalMs };
      }
      const firstImageAtMs = await readUntilEnd(response);
      return { firstImageMs: (firstImageAtMs - startedAtMs) / timeFactor, totalMs: (performance.now() - startedAtMs) / timeFactor };
    } finally {
      resetApp();
      await simulator.close();
    }
  };
  const classic = await measure(false);
  const sse = await measure(true);
  return {
    images,
    path: 'classic',
    classicFirstImageMs: classic.firstImageMs,
    sseFirstImageMs: sse.firstImageMs,
    classicTotalMs: classic.totalMs,
    sseTotalMs: sse.totalMs,
  };
}

/** A background batch: first image over its SSE events, and when the stream ends (the batch ended). */
export async function runFirstImageInBackground(options: { images: number; timeFactor: number; seed?: number }): Promise<FirstImageResult> {
  const { images, timeFactor } = options;
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-bench-'));
  const simulator = await startSimulatedApp(timeFactor, options.seed, { DATA_DIR: dataDirectory });
  try {
    const startedAtMs = performance.now();
    const created = await postBatch(
      new Request('http://127.0.0.1/api/batches', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'a lighthouse at dusk', numberOfImages: images }),
      }),
    );
    const { id } = (await created.json()) as { id: string };
    const events = await getBatchEvents(new Request(`http://127.0.0.1/api/batches/${id}/events`), { params: Promise.resolve({ id }) });
    const firstImageAtMs = await readUntilEnd(events);
    const totalMs = (performance.now() - startedAtMs) / timeFactor;
    return { images, path: 'background', classicFirstImageMs: Number.NaN, sseFirstImageMs: (firstImageAtMs - startedAtMs) / timeFactor, classicTotalMs: Number.NaN, sseTotalMs: totalMs };
  } finally {
    resetApp();
    await simulator.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
}

/** A simulator without quota pressure and the process-wide app pointed at it, seed pacing scaled. */
async function startSimulatedApp(timeFactor: number, seed = 1, env: Record<string, string> = {}): Promise<ProviderSimulator> {
  const simulator = await startProviderSimulator({ wire: 'gemini', latency: imageModelLatency, timeFactor, seed });
  Object.assign(process.env, {
    IMAGE_PROVIDER: 'gemini',
    GEMINI_API_KEY: 'simulator-key',
    GEMINI_BASE_URL: simulator.baseUrl,
    PACING_MODE: 'sequential',
    PACING_MIN_INTERVAL_MS: String(Math.round(500 * timeFactor)),
    PROVIDER_TIMEOUT_MS: String(Math.max(1_000, Math.round(180_000 * timeFactor))),
    RETRY_BASE_DELAY_MS: String(Math.round(1_000 * timeFactor)),
    LOG_LEVEL: 'silent',
    ...env,
  });
  resetApp();
  return simulator;
}

/** Reads the SSE stream to its end; resolves when the first succeeded `item-end` arrived. */
async function readUntilEnd(response: Response): Promise<number> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let firstImageAtMs: number | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += value;
    const frames = buffered.split('\n\n');
    buffered = frames.pop() ?? '';
    for (const frame of frames) {
      if (firstImageAtMs === undefined && frame.includes('event: item-end') && frame.includes('"status":"succeeded"')) {
        firstImageAtMs = performance.now();
      }
    }
  }
  if (firstImageAtMs === undefined) throw new Error('the stream ended without an image');
  return firstImageAtMs;
}
