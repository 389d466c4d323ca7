'use client';

import dynamic from 'next/dynamic';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { StorageUsageView } from '@/lib/core/api-views';
import { useGalleryDensity } from '@/hooks/use-gallery-density';
import { useLoadOnScroll } from '@/hooks/use-load-on-scroll';
import type { BatchRun } from '@/components/lib/batch-state';
import type { BatchCostLabel } from '@/components/lib/cost-estimate';
import type { BatchControls } from './batch-actions';
import { BatchGroup } from './batch-group';
import { DensityToggle } from './density-toggle';
import { describeStorage, imageFileName } from './format';
import type { LightboxEntry } from './lightbox';
import { notifyError, notifyInfo } from './notify';
import styles from './generator.module.css';
import type { WebhookStatusLabel } from './lib/webhook-status';

// Only after a click on an image: the lightbox (zoom, pan, the PNG's parameters) stays out of the first load.
const Lightbox = dynamic(() => import('./lightbox').then((module) => module.Lightbox), { ssr: false });

export interface GalleryItem {
  run: BatchRun;
  /** What the batch cost, or an estimate of it. */
  cost?: BatchCostLabel;
  /** Cancel, retry, ZIP, delete. */
  controls: BatchControls;
  /** "Webhook: delivered", …: present when the batch has webhooks. */
  webhook?: WebhookStatusLabel;
}

export interface HistoryControls {
  hasMore: boolean;
  isLoadingMore: boolean;
  error?: string;
  loadMore: () => Promise<void>;
}

interface GalleryProps {
  /** Newest first. */
  items: GalleryItem[];
  /** The batch of the live area. */
  currentClientId: string | null;
  history: HistoryControls;
  /** What the stored batches take; null until it is known. */
  storageUsage: StorageUsageView | null;
  /** "Use as input" in the lightbox: the image becomes the composer's input image. */
  onUseAsInput: (file: File) => void;
  /** After "Use as input", once the lightbox has closed. */
  onFocusPrompt: () => void;
}

/**
 * Every batch, newest first, grouped by batch in justified rows of tiles (compact or large); a
 * lightbox for any image; older batches page in as the history scrolls (or on "Load more").
 */
export function Gallery({ items, currentClientId, history, storageUsage, onUseAsInput, onFocusPrompt }: GalleryProps) {
  const [selected, setSelected] = useState<{ clientId: string; index: number } | null>(null);
  const shouldFocusPromptRef = useRef(false);
  const [density, setDensity] = useGalleryDensity();
  const { hasMore, isLoadingMore, error: historyError, loadMore } = history;
  const sentinelRef = useLoadOnScroll(hasMore && !isLoadingMore && !historyError, () => void loadMore());

  const entries: LightboxEntry[] = useMemo(
    () =>
      items.flatMap(({ run, cost }) =>
        run.slots.flatMap((slot) =>
          slot.status === 'succeeded' && slot.image ? [{ run, index: slot.index, prompt: slot.prompt, image: slot.image, ...(cost ? { cost } : {}) }] : [],
        ),
      ),
    [items],
  );
  const selectedPosition = selected
    ? entries.findIndex((entry) => entry.run.clientId === selected.clientId && entry.index === selected.index)
    : -1;
  const selectedEntry = entries[selectedPosition];
  const step = (offset: number) => {
    const next = entries[(selectedPosition + offset + entries.length) % entries.length];
    if (next) setSelected({ clientId: next.run.clientId, index: next.index });
  };

  useEffect(() => {
    if (selected === null && shouldFocusPromptRef.current) {
      shouldFocusPromptRef.current = false;
      onFocusPrompt();
    }
  }, [selected, onFocusPrompt]);

  const copyPrompt = async (prompt: string) => {
    try {
      await navigator.clipboard.writeText(prompt);
      notifyInfo('Prompt copied.');
    } catch {
      notifyError('Could not copy the prompt', 'Select the prompt text and copy it by hand.');
    }
  };

  const takeAsInput = async ({ image, index }: LightboxEntry) => {
    try {
      const blob = await (await fetch(image.url)).blob();
      onUseAsInput(new File([blob], `input-${imageFileName(index, image.mimeType)}`, { type: blob.type || image.mimeType }));
      shouldFocusPromptRef.current = true;
      setSelected(null);
      notifyInfo(`Image ${index} is now the input image.`);
    } catch {
      notifyError('Could not use that image as input');
    }
  };

  return (
    <section className={styles.results} aria-labelledby="results-heading" data-density={density}>
      <div className={styles.galleryHeader}>
        <h2 id="results-heading" className={styles.sectionTitle}>
          Gallery
        </h2>
        {storageUsage ? (
          <p className={styles.storage} data-testid="storage-usage" title="What the saved batches take on the server">
            {describeStorage(storageUsage)}
          </p>
        ) : null}
        <DensityToggle density={density} onChange={setDensity} />
      </div>
      {items.length === 0 && !hasMore ? (
        <p className={styles.empty}>Your images will appear here, one slot per image, newest batch first.</p>
      ) : (
        <div className={styles.batches}>
          {items.map(({ run, controls, cost, webhook }) => (
            <BatchGroup
              key={run.clientId}
              run={run}
              {...(cost ? { cost } : {})}
              {...(webhook ? { webhook } : {})}
              isCurrent={run.clientId === currentClientId}
              onOpen={(clientId, index) => setSelected({ clientId, index })}
              controls={controls}
            />
          ))}
        </div>
      )}
      <div ref={sentinelRef} aria-hidden="true" />
      {historyError ? (
        <p className={styles.historyError} role="status" data-testid="history-error">
          {historyError}
        </p>
      ) : null}
      {hasMore ? (
        <button
          type="button"
          className={`button button-secondary ${styles.loadMore}`}
          onClick={() => void loadMore()}
          disabled={isLoadingMore}
          aria-busy={isLoadingMore}
          data-testid="load-more"
        >
          {isLoadingMore ? 'Loading…' : historyError ? 'Try again' : 'Load more'}
        </button>
      ) : null}

      {selectedEntry ? (
        <Lightbox
          entry={selectedEntry}
          position={selectedPosition + 1}
          count={entries.length}
          onPrevious={() => step(-1)}
          onNext={() => step(1)}
          onClose={() => setSelected(null)}
          onCopyPrompt={(prompt) => void copyPrompt(prompt)}
          onUseAsInput={(entry) => void takeAsInput(entry)}
        />
      ) : null}
    </section>
  );
}
