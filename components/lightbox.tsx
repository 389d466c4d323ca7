'use client';

import { useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import type { BatchRun, GeneratedImage } from '@/components/lib/batch-state';
import { formatTime, imageFileName } from './format';
import { LightboxTools } from './image-tools';
import { ProviderBadge } from './provider-badge';
import styles from './lightbox.module.css';

export interface LightboxEntry {
  run: BatchRun;
  index: number;
  /** The image's own prompt (a batch may have several). */
  prompt: string;
  image: GeneratedImage;
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

/** Full-size view of one image: a modal dialog that traps focus, closes on Esc and gives focus back. */
export function Lightbox({ entry, position, count, onPrevious, onNext, onClose, onCopyPrompt, onUseAsInput }: LightboxProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const { run, index, prompt, image } = entry;
  const fileName = imageFileName(index, image.mimeType);

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
    if (event.key === 'ArrowLeft' && count > 1) onPrevious();
    if (event.key === 'ArrowRight' && count > 1) onNext();
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
        <figure className={styles.figure}>
          <img src={image.url} alt={`Image ${index}: ${prompt}`} className={styles.image} data-testid="lightbox-image" />
          {count > 1 ? (
            <>
              <span className={styles.counter} aria-live="polite">
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
        </figure>
        <aside className={styles.panel}>
          <h2 id="lightbox-title" className={styles.title}>
            Image {index} of {run.slots.length}
          </h2>
          <p className={styles.prompt} data-testid="lightbox-prompt">
            {prompt}
          </p>
          <dl className={styles.params}>
            <dt>Provider</dt>
            <dd>
              <ProviderBadge provider={run.provider} />
            </dd>
            <dt>Aspect ratio</dt>
            <dd>{run.aspectRatio}</dd>
            <dt>Mode</dt>
            <dd>{run.mode === 'image-to-image' ? `Image-to-image${run.inputName ? ` (${run.inputName})` : ''}` : 'Text-to-image'}</dd>
            <dt>Created</dt>
            <dd>{formatTime(run.startedAt)}</dd>
          </dl>
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
