'use client';

import { useEffect, useReducer, useRef } from 'react';
import type { ProgressEvent } from '@/lib/core/events';
import { applyProgressEvent, breakRun, cancelRun, type BatchRun, type GeneratedImage } from './batch-state';

export type SessionAction =
  | { type: 'start'; run: BatchRun }
  | { type: 'event'; clientId: string; event: ProgressEvent; receivedAt: number; image?: GeneratedImage }
  | { type: 'cancel'; clientId: string; at: number }
  | { type: 'break'; clientId: string; at: number; reason: string }
  /** The server refused the request: there never was a batch. */
  | { type: 'discard'; clientId: string };

/** This session's batches, newest first. */
export function sessionReducer(runs: BatchRun[], action: SessionAction): BatchRun[] {
  if (action.type === 'start') return [action.run, ...runs];
  if (action.type === 'discard') return runs.filter((run) => run.clientId !== action.clientId);
  return runs.map((run) => {
    if (run.clientId !== action.clientId) return run;
    switch (action.type) {
      case 'event':
        return applyProgressEvent(run, action.event, action.receivedAt, action.image);
      case 'cancel':
        return cancelRun(run, action.at);
      case 'break':
        return breakRun(run, action.at, action.reason);
    }
  });
}

/** Turns an item's base64 into an object URL (cheaper for the DOM than a data URL of megabytes). */
export function toGeneratedImage(base64: string, mimeType: string): GeneratedImage {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let offset = 0; offset < binary.length; offset += 1) bytes[offset] = binary.charCodeAt(offset);
  return { url: URL.createObjectURL(new Blob([bytes], { type: mimeType })), mimeType };
}

/** The session's batches; the images' object URLs live as long as the page. */
export function useSessionBatches() {
  const [runs, dispatch] = useReducer(sessionReducer, []);
  const urlsRef = useRef(new Set<string>());

  useEffect(() => {
    const urls = urlsRef.current;
    return () => {
      for (const url of urls) URL.revokeObjectURL(url);
      urls.clear();
    };
  }, []);

  /** Applies a server event, decoding a succeeded item's image first. */
  const receive = (clientId: string, event: ProgressEvent) => {
    let image: GeneratedImage | undefined;
    if (event.type === 'item-end' && event.status === 'succeeded' && event.data && event.mimeType) {
      image = toGeneratedImage(event.data, event.mimeType);
      urlsRef.current.add(image.url);
    }
    dispatch({ type: 'event', clientId, event, receivedAt: Date.now(), ...(image ? { image } : {}) });
  };

  return { runs, dispatch, receive };
}
