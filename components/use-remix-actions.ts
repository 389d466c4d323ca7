'use client';

import { useEffect, useMemo, useRef } from 'react';
import type { BatchView } from '@/lib/core/api-views';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import type { BatchRequest } from '@/components/lib/batch-api';
import type { ComposerFill } from '@/components/lib/composer-fill';
import type { ChosenModel } from '@/components/lib/model-options';
import type { ServerBatch } from '@/components/lib/server-batch-state';
import { notifyError, notifyInfo } from './notify';
import type { RemixActions } from './remix-context';

interface RemixDependencies {
  batches: ServerBatch[];
  catalog: ProvidersCatalog;
  chosen: ChosenModel;
  applyFill: (fill: ComposerFill, images: File[]) => void;
  /** Creates the batch (and reports a refusal). */
  start: (request: BatchRequest) => Promise<void>;
  /** After the composer was filled: bring it into view, focus the prompt. */
  onFilled: () => void;
}

/** The batch's uploaded images, fetched again from the server to send them once more. */
async function fetchInputImages(batch: BatchView): Promise<File[]> {
  const urls = batch.inputImageUrls ?? (batch.inputImageUrl ? [batch.inputImageUrl] : []);
  if (urls.length === 0) return [];
  const { fetchImageFile } = await import('@/components/lib/fetch-image-file');
  return Promise.all(urls.map((url, position) => fetchImageFile(url, `input-${position + 1}`)));
}

// Loaded on the first press of either button: the first page load stays light.
const loadComposerFill = () => import('@/components/lib/composer-fill');

/** "Use these settings" and "More like this", for the remix context the gallery reads. */
export function useRemixActions(dependencies: RemixDependencies): RemixActions {
  // The latest batches and composer, read when a button is pressed, so the actions stay the same
  // functions across renders (the gallery's tiles don't re-render for them).
  const latestRef = useRef(dependencies);
  useEffect(() => {
    latestRef.current = dependencies;
  });
  const startingRef = useRef(new Set<string>());

  return useMemo(() => {
    const findBatch = (batchId: string) => {
      const batch = latestRef.current.batches.find((candidate) => candidate.view.id === batchId)?.view;
      if (!batch) notifyError('That batch is no longer here', 'Reload the page to see the batches the server keeps.');
      return batch;
    };

    const applyBatchSettings = async (batchId: string) => {
      const batch = findBatch(batchId);
      if (!batch) return;
      let images: File[] = [];
      try {
        images = await fetchInputImages(batch);
      } catch {
        notifyError('Could not load the batch’s input images', 'The prompt and settings are in the composer; add the images again.');
      }
      const { fillFromBatch } = await loadComposerFill();
      const { catalog, chosen, applyFill, onFilled } = latestRef.current;
      applyFill(fillFromBatch(batch, catalog, chosen), images);
      onFilled();
      notifyInfo('The batch’s settings are in the composer.');
    };

    const moreLikeThis = async (batchId: string, index: number) => {
      const key = `${batchId}:${index}`;
      const batch = findBatch(batchId);
      if (!batch || startingRef.current.has(key)) return;
      startingRef.current.add(key);
      try {
        const [images, { moreLikeThisRequest }] = await Promise.all([fetchInputImages(batch), loadComposerFill()]);
        await latestRef.current.start(moreLikeThisRequest(batch, index, images));
      } catch {
        notifyError('Could not start another image like this one', 'Its input images could not be loaded from the server.');
      } finally {
        startingRef.current.delete(key);
      }
    };

    return {
      applyBatchSettings: (batchId) => void applyBatchSettings(batchId),
      moreLikeThis: (batchId, index) => void moreLikeThis(batchId, index),
    };
  }, []);
}
