'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProgressEvent } from '@/lib/core/events';
import { hasImages, readApiError, toRequestBody, type BatchRequest, type RequestField } from './batch-api';
import { readProgressEvents } from './read-progress-events';

export type { BatchRequest, RequestField } from './batch-api';

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

/** The classic routes: `/api/generate`, or `/api/generate-with-image` with the image as a multipart form. */
function toFetchInit(request: BatchRequest, signal: AbortSignal): { url: string; init: RequestInit } {
  const { body, headers } = toRequestBody(request);
  return {
    url: hasImages(request) ? '/api/generate-with-image' : '/api/generate',
    init: { method: 'POST', headers: { Accept: 'text/event-stream', ...headers }, body, signal },
  };
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
      if (!response.ok) return { type: 'rejected', ...(await readApiError(response)) };
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
