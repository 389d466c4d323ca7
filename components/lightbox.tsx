'use client';

import { useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import type { BatchRun, GeneratedImage } from '@/components/lib/batch-state';
import type { BatchCostLabel } from '@/components/lib/cost-estimate';
import { zoomStep } from '@/components/lib/zoom';
import { useZoomPan } from '@/hooks/use-zoom-pan';
import { imageFileName } from './format';
import { LightboxTools } from './image-tools';
import { LightboxDetails } from './lightbox-details';
import styles from './lightbox.module.css';

export interface LightboxEntry {
  run: BatchRun;
  index: number;
  /** The image's own prompt (a batch may have several). */
  prompt: string;
  image: GeneratedImage;
  /** What the batch cost (or its estimate). */
  cost?: BatchCostLabel;
}

interface LightboxProps {
  entry: LightboxEntry;
  /** 1-based position among the gallery's images, and how many there are. */
  position: number;
  count: number;
  onPrevious: () => void;
  onNext: () => void;
  onClose: () => void;
  onCopyPrompt: (prompt: string) => void;
  onUseAsInput: (entry: LightboxEntry) => void;
}

const focusableSelector = 'a[href], button:not([disabled]), textarea, input, select, [tabindex]:not([tabindex="-1"])';

/**
 * One image at its real size: a modal dialog that traps focus, closes on Esc and gives focus back.
 * Zoom with the wheel, a pinch, a double-click or +/- (0 fits it again), pan by dragging; arrows or a
 * swipe move to the previous or next image. Beside it: its prompt, model, options, cost and the
 * parameters its PNG carries.
 */
export function Lightbox({ entry, position, count, onPrevious, onNext, onClose, onCopyPrompt, onUseAsInput }: LightboxProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const { run, index, prompt, image } = entry;
  const fileName = imageFileName(index, image.mimeType);
  const canStep = count > 1;
  const zoom = useZoomPan(image.url, (direction) => {
    if (!canStep) return;
    if (direction === -1) onNext();
    else onPrevious();
  });

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key === 'ArrowLeft' && canStep) onPrevious();
    if (event.key === 'ArrowRight' && canStep) onNext();
    if (event.key === '+' || event.key === '=') zoom.zoomBy(zoomStep);
    if (event.key === '-' || event.key === '_') zoom.zoomBy(1 / zoomStep);
    if (event.key === '0') zoom.fit();
    if (event.key !== 'Tab') return;
    const focusable = Array.from(event.currentTarget.querySelectorAll<HTMLElement>(focusableSelector));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !event.currentTarget.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };

  const onBackdropClick = (event: MouseEvent<HTMLDialogElement>) => {
    if (event.target === event.currentTarget) onClose();
  };

  return (
    <dialog
      ref={dialogRef}
      className={styles.dialog}
      aria-labelledby="lightbox-title"
      data-testid="lightbox"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onKeyDown={onKeyDown}
      onClick={onBackdropClick}
    >
      <button type="button" className={styles.close} onClick={onClose} aria-label="Close" autoFocus data-testid="lightbox-close">
        <span aria-hidden="true">×</span>
      </button>
      <div className={styles.layout}>
        <figure
          ref={zoom.stageRef}
          className={`${styles.figure} ${zoom.isZoomed ? styles.zoomed : ''}`}
          {...zoom.stageHandlers}
          data-testid="lightbox-stage"
        >
          <img
            src={image.url}
            alt={`Image ${index}: ${prompt}`}
            className={`${styles.image} ${zoom.imageStyle ? styles.sized : ''}`}
            style={zoom.imageStyle}
            draggable={false}
            onLoad={(event) => zoom.onImageLoad(event.currentTarget)}
            data-testid="lightbox-image"
          />
          {canStep ? (
            <>
              <span className={styles.counter} aria-live="polite" data-testid="lightbox-counter">
                {position} / {count}
              </span>
              <button type="button" className={`${styles.nav} ${styles.previous}`} onClick={onPrevious} aria-label="Previous image">
                <span aria-hidden="true">‹</span>
              </button>
              <button type="button" className={`${styles.nav} ${styles.next}`} onClick={onNext} aria-label="Next image">
                <span aria-hidden="true">›</span>
              </button>
            </>
          ) : null}
          <div className={styles.zoomControls} role="group" aria-label="Zoom">
            <button type="button" onClick={() => zoom.zoomBy(1 / zoomStep)} aria-label="Zoom out" aria-keyshortcuts="-" data-testid="zoom-out">
              <span aria-hidden="true">−</span>
            </button>
            <button type="button" onClick={zoom.fit} aria-label="Fit to the window" aria-keyshortcuts="0" data-testid="zoom-fit">
              Fit
            </button>
            <button type="button" onClick={() => zoom.zoomBy(zoomStep)} aria-label="Zoom in" aria-keyshortcuts="+" data-testid="zoom-in">
              <span aria-hidden="true">+</span>
            </button>
          </div>
        </figure>
        <aside className={styles.panel}>
          <h2 id="lightbox-title" className={styles.title}>
            Image {index}
          </h2>
          <p className={styles.prompt} data-testid="lightbox-prompt">
            {prompt}
          </p>
          <LightboxDetails entry={entry} naturalSize={zoom.naturalSize} />
          <div className={styles.actions}>
            <a className="button button-primary" href={image.url} download={fileName} data-testid="lightbox-download">
              Download {fileName}
            </a>
            <button type="button" className="button button-secondary" onClick={() => onCopyPrompt(prompt)} data-testid="copy-prompt">
              Copy prompt
            </button>
            <button type="button" className="button button-secondary" onClick={() => onUseAsInput(entry)} data-testid="use-as-input">
              Use as input
            </button>
            <LightboxTools batchId={run.batchId} slot={run.slots.find((slot) => slot.index === index)} />
          </div>
        </aside>
      </div>
    </dialog>
  );
}
