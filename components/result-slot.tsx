import type { CSSProperties } from 'react';
import type { Slot } from '@/components/lib/batch-state';
import { formatDuration, imageFileName } from './format';
import { TileTools } from './image-tools';
import styles from './result-slot.module.css';

interface ResultSlotProps {
  slot: Slot;
  /** Width / height of the tile: its image's shape, so a row of tiles has no bars at the sides. */
  ratio: number;
  /** The image loaded: its natural size, in case the provider made another shape than asked. */
  onMeasure?: (index: number, naturalWidth: number, naturalHeight: number) => void;
  prompt: string;
  /** The client clock, for "retrying in 3 s". */
  now: number;
  testId: string;
  /** Load the image only near the viewport (history can hold hundreds). */
  isLazy?: boolean;
  onOpen: (index: number) => void;
  /** The server's batch id: its made images get a favorite star (and a checkbox in select mode). */
  batchId?: string | null;
}

function retryLabel(slot: Slot, now: number): string | undefined {
  if (!slot.retry) return undefined;
  const leftMs = slot.retry.delayMs - (now - slot.retry.receivedAt);
  return leftMs >= 500 ? `Retrying in ${formatDuration(leftMs)}` : 'Retrying…';
}

const statusWords = { queued: 'Queued', running: 'Generating…', succeeded: 'Done', failed: 'Failed', canceled: 'Canceled', deleted: 'Image deleted' } as const;

/** The provider's sampler step as a thin bar under the tile's "Step k of n" (local diffusion servers report it). */
function StepBar({ step, totalSteps }: { step: number; totalSteps: number }) {
  return (
    <span className={styles.stepBar} role="progressbar" aria-label="Steps done" aria-valuemin={0} aria-valuemax={totalSteps} aria-valuenow={step}>
      <span className={styles.stepBarFill} style={{ width: `${(100 * step) / totalSteps}%` }} />
    </span>
  );
}

/** One requested image: a shimmering placeholder, the image, a failed tile with the reason, or canceled. */
export function ResultSlot({ slot, ratio, onMeasure, prompt, now, testId, isLazy = false, onOpen, batchId }: ResultSlotProps) {
  const tileStyle = { '--ratio': ratio } as CSSProperties;
  const retry = retryLabel(slot, now);
  const isWaiting = slot.status === 'queued' || slot.status === 'running';
  const step = slot.status === 'running' && !retry ? slot.progress : undefined;

  return (
    <li className={styles.slot} style={tileStyle} data-testid={testId} data-status={slot.status} data-index={slot.index} data-favorite={slot.isFavorite === true}>
      {slot.status === 'succeeded' && slot.image ? (
        <div className={styles.frame}>
          <button type="button" className={styles.open} onClick={() => onOpen(slot.index)} aria-label={`Open image ${slot.index} full size`}>
            <img
              src={slot.image.url}
              alt={`Image ${slot.index}: ${prompt}`}
              className={styles.image}             data-testid="gallery-image"
              loading={isLazy ? 'lazy' : undefined}
              decoding="async"
              onLoad={(event) => onMeasure?.(slot.index, event.currentTarget.naturalWidth, event.currentTarget.naturalHeight)}
            />
          </button>
          <a
            className={styles.download}
            href={slot.image.url}
            download={imageFileName(slot.index, slot.image.mimeType)}
            aria-label={`Download image ${slot.index}`}
            title={`Download ${imageFileName(slot.index, slot.image.mimeType)}`}
            data-testid="download-link"
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M12 4v11m0 0l-4.5-4.5M12 15l4.5-4.5M5 19.5h14" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </a>
          {batchId ? <TileTools batchId={batchId} slot={slot} prompt={prompt} /> : null}
        </div>
      ) : (
        <div
          className={`${styles.frame} ${isWaiting ? styles.shimmer : ''} ${slot.status === 'failed' ? styles.failed : ''} ${slot.status === 'canceled' || slot.status === 'deleted' ? styles.canceled : ''}`}
        >
          <div className={styles.state}>
            {slot.status === 'failed' ? (
              <>
                <svg className={styles.stateIcon} viewBox="0 0 24 24" aria-hidden="true">
                  <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeWidth="1.8" />
                  <path d="M12 7.5v5.5M12 16.2v.3" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
                </svg>
                <span className={styles.stateTitle}>Image {slot.index} failed</span>
                <span className={styles.reason} data-testid="slot-error">
                  {slot.error}
                </span>
                {slot.details && slot.details !== slot.error ? (
                  <span className={styles.details} title={slot.details}>
                    {slot.details}
                  </span>
                ) : null}
              </>
            ) : (
              <>
                {step ? (
                  <span className={styles.stateTitle} data-testid="slot-step">
                    Step {step.step} of {step.totalSteps}
                  </span>
                ) : (
                  <span className={styles.stateTitle}>{retry ?? statusWords[slot.status]}</span>
                )}
                {retry && slot.retry ? <span className={styles.details}>{slot.retry.reason}</span> : null}
                {step ? <StepBar {...step} /> : null}
                {slot.status === 'running' && !retry && slot.attempt > 1 ? <span className={styles.details}>Attempt {slot.attempt}</span> : null}
              </>
            )}
          </div>
        </div>
      )}
      <span className={styles.number} aria-hidden="true" data-testid="slot-number">
        {slot.index}
      </span>
    </li>
  );
}

/** One tile for a batch's canceled images when there are many (see visibleSlots): "95 canceled". */
export function CanceledTile({ count, ratio }: { count: number; ratio: number }) {
  return (
    <li className={styles.slot} style={{ '--ratio': ratio } as CSSProperties} data-testid="canceled-tile" data-count={count}>
      <div className={`${styles.frame} ${styles.canceled}`}>
        <div className={styles.state}>
          <span className={styles.stateTitle}>{count} canceled</span>
        </div>
      </div>
    </li>
  );
}
