'use client';

import { useEffect, useState } from 'react';
import { parseEmbeddedParameters, readPngText, type EmbeddedParameters } from '@/lib/core/embedded-parameters';

export type EmbeddedState = { status: 'loading' } | { status: 'none' } | { status: 'found'; parameters: EmbeddedParameters };

/**
 * The generation settings a PNG carries in its text chunks, read from the image's bytes when the
 * lightbox shows it (never before: the gallery only loads the pictures). Other formats carry none.
 */
export function useEmbeddedParameters(url: string, mimeType: string): EmbeddedState {
  const [state, setState] = useState<EmbeddedState>({ status: 'loading' });
  useEffect(() => {
    if (mimeType !== 'image/png') {
      setState({ status: 'none' });
      return;
    }
    setState({ status: 'loading' });
    const controller = new AbortController();
    void (async () => {
      try {
        const response = await fetch(url, { signal: controller.signal });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const parameters = parseEmbeddedParameters(await readPngText(new Uint8Array(await response.arrayBuffer())));
        if (!controller.signal.aborted) setState(parameters ? { status: 'found', parameters } : { status: 'none' });
      } catch {
        if (!controller.signal.aborted) setState({ status: 'none' });
      }
    })();
    return () => controller.abort();
  }, [url, mimeType]);
  return state;
}
