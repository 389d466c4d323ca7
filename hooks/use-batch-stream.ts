'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProgressEvent } from '@/lib/core/events';
import type { AspectRatio } from '@/lib/core/image';
import { readProgressEvents } from './read-progress-events';

export interface BatchRequest {
  prompt: string;
  numberOfImages: number;
  aspectRatio?: AspectRatio;
  /** Present for image-to-image. */
  image?: File;
}

/** Fields the server may name in a 400; shown next to that field. */
export type RequestField = 'prompt' | 'numberOfImages' | 'image' | 'aspectRatio';

export type StreamOutcome =
  /** The server sent batch-end. */
  | { type: 'ended' }
  /** cancel() or unmount: the server cancels the rest of the batch when the connection closes. */
  | { type: 'aborted' }
  /** Another batch is still running: nothing was sent. */
  | { type: 'busy' }
  /** The server refused the request (4xx/5xx before any event). */
  | { type: 'rejected'; status: number; message: string; field?: RequestField }
  /** The connection failed or closed before batch-end. */
  | { type: 'broken'; message: string };

const requestFields: readonly string[] = ['prompt', 'numberOfImages', 'image', 'aspectRatio'];

function isRequestField(value: unknown): value is RequestField {
  return typeof value === 'string' && requestFields.includes(value);
}

function toFetchInit(request: BatchRequest, signal: AbortSignal): { url: string; init: RequestInit } {
  const headers = { Accept: 'text/event-stream' };
  if (request.image) {
    const form = new FormData();
    form.set('prompt', request.prompt);
    form.set('numberOfImages', String(request.numberOfImages));
    if (request.aspectRatio) form.set('aspectRatio', request.aspectRatio);
    form.set('image', request.image, request.image.name);
    return { url: '/api/generate-with-image', init: { method: 'POST', headers, body: form, signal } };
  }
  const body = JSON.stringify({
    prompt: request.prompt,
    numberOfImages: request.numberOfImages,
    ...(request.aspectRatio ? { aspectRatio: request.aspectRatio } : {}),
  });
  return {
    url: '/api/generate',
    init: { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body, signal },
  };
}

async function readRejection(response: Response): Promise<StreamOutcome> {
  let message = `The server answered ${response.status} ${response.statusText}`.trim();
  let field: RequestField | undefined;
  try {
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null) {
      if ('error' in body && typeof body.error === 'string') message = body.error;
      if ('field' in body && isRequestField(body.field)) field = body.field;
    }
  } catch {
    // Not JSON: keep the status line.
  }
  return { type: 'rejected', status: response.status, message, ...(field ? { field } : {}) };
}

/**
 * One batch at a time over `fetch` + SSE: `start()` posts the request with `Accept: text/event-stream`
 * and hands every validated progress event to `onEvent`; `cancel()` (or unmounting) aborts the
 * request, which cancels the batch on the server. The second `start()` while one runs is refused.
 */
export function useBatchStream() {
  const controllerRef = useRef<AbortController | null>(null);
  const [isRunning, setIsRunning] = useState(false);

  useEffect(() => () => controllerRef.current?.abort(), []);

  const start = useCallback(async (request: BatchRequest, onEvent: (event: ProgressEvent) => void): Promise<StreamOutcome> => {
    if (controllerRef.current) return { type: 'busy' };
    const controller = new AbortController();
    controllerRef.current = controller;
    setIsRunning(true);
    try {
      const { url, init } = toFetchInit(request, controller.signal);
      const response = await fetch(url, init);
      if (!response.ok) return await readRejection(response);
      const contentType = response.headers.get('content-type') ?? '';
      if (!response.body || !contentType.includes('text/event-stream')) {
        return { type: 'broken', message: 'The server did not answer with a progress stream.' };
      }
      const { sawBatchEnd } = await readProgressEvents(response.body, {
        onEvent,
        onInvalidEvent: (problem) => console.warn(`Skipped a progress event: ${problem}`),
      });
      return sawBatchEnd ? { type: 'ended' } : { type: 'broken', message: 'The connection closed before the batch ended' };
    } catch (error) {
      if (controller.signal.aborted) return { type: 'aborted' };
      const reason = error instanceof Error ? error.message : String(error);
      return { type: 'broken', message: `Lost the connection to the server (${reason})` };
    } finally {
      controllerRef.current = null;
      setIsRunning(false);
    }
  }, []);

  const cancel = useCallback(() => controllerRef.current?.abort(), []);

  return { start, cancel, isRunning };
}
