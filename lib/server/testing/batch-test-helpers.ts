import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { progressEventSchema, type ProgressEvent } from '@/lib/core';
import { isFinishedStatus } from '@/lib/queue';
import { getApp, resetApp, type BatchRuntime, type BatchView } from '@/lib/server';
import { useTestApp } from './route-test-helpers';

/**
 * A fresh app on the demo provider (fast pacing) with its own temporary DATA_DIR; the worker is
 * stopped, the store closed and the directory removed when the test finishes.
 */
export async function useBatchTestApp(env: Record<string, string> = {}) {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-batches-'));
  const testApp = useTestApp({ DATA_DIR: dataDirectory, ...env });
  const app = getApp();
  onTestFinished(async () => {
    await app.close();
    resetApp();
    await rm(dataDirectory, { recursive: true, force: true });
  });
  return { ...testApp, app, dataDirectory, runtime: (): Promise<BatchRuntime> => app.batches() };
}

/** The second argument Next.js passes a dynamic route handler. */
export function routeContext(id: string): { params: Promise<{ id: string }> } {
  return { params: Promise.resolve({ id }) };
}

export function getRequest(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://127.0.0.1${path}`, { headers });
}

export function postRequest(path: string): Request {
  return new Request(`http://127.0.0.1${path}`, { method: 'POST' });
}

/** Polls the store until the batch has ended and its batch-end is logged. */
export async function waitForBatchEnd(runtime: BatchRuntime, batchId: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await runtime.store.batches.getBatch(batchId);
    const events = await runtime.store.batches.listEvents(batchId, { limit: 10_000 });
    if (batch && isFinishedStatus(batch.status) && events.at(-1)?.type === 'batch-end') return;
    if (Date.now() > deadline) throw new Error(`Batch ${batchId} did not end within ${timeoutMs} ms (status ${batch?.status})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Polls until `condition` holds. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface SseFrame {
  id: string;
  event: string;
  data: ProgressEvent;
}

/** Reads an SSE response frame by frame (each data validated against the event union), for partial reads. */
export function createSseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let isDone = false;

  const parseFrame = (frame: string): SseFrame => {
    const fields = Object.fromEntries(frame.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
    return { id: fields.id, event: fields.event, data: progressEventSchema.parse(JSON.parse(fields.data)) };
  };

  /** The next event frame, or undefined when the stream has ended. Comment frames are skipped. */
  const next = async (): Promise<SseFrame | undefined> => {
    for (;;) {
      const boundary = buffer.indexOf('\n\n');
      if (boundary !== -1) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        if (frame.trim() === '' || frame.startsWith(':')) continue;
        return parseFrame(frame);
      }
      if (isDone) return undefined;
      const { done, value } = await reader.read();
      if (done) isDone = true;
      else buffer += decoder.decode(value, { stream: true });
    }
  };

  return {
    next,
    /** Every remaining frame until the server closes the stream. */
    async rest(): Promise<SseFrame[]> {
      const frames: SseFrame[] = [];
      for (let frame = await next(); frame; frame = await next()) frames.push(frame);
      return frames;
    },
    /** Hangs up, like a closed tab. */
    cancel: () => reader.cancel(),
  };
}

export async function readJson<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export type { BatchView };
