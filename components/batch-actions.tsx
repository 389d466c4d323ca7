import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { BatchRun } from '@/components/lib/batch-state';
import { retryButtonLabel } from '@/components/lib/progress-wording';
import type { BatchAction } from '@/hooks/use-server-batches';
import { UseSettingsButton } from './remix-buttons';
import styles from './batch-group.module.css';

/** What a batch offers: cancel while it runs; once it has ended, retry of what failed, every image as a ZIP, delete. */
export interface BatchControls {
  zipUrl: string;
  /** A request for this batch is on its way. */
  pending?: BatchAction;
  onCancel: () => void;
  onRetry: () => void;
  /** Called once the person has confirmed. */
  onDelete: () => void;
}

interface BatchActionsProps {
  run: BatchRun;
  controls: BatchControls;
  /** The live progress panel shows this batch with its own Cancel: the card leaves it out (one Cancel, not two). */
  isCancelElsewhere?: boolean;
}

export function BatchActions({ run, controls, isCancelElsewhere = false }: BatchActionsProps) {
  const [isConfirming, setIsConfirming] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const shouldFocusDeleteRef = useRef(false);
  const isRunning = run.status === 'running';
  const retryLabel = retryButtonLabel(run);
  const succeeded = run.slots.filter((slot) => slot.status === 'succeeded').length;
  const { pending } = controls;

  // The confirmation takes focus on its safe choice; "Keep" gives focus back to "Delete".
  useEffect(() => {
    if (isConfirming) keepRef.current?.focus();
    else if (shouldFocusDeleteRef.current) {
      shouldFocusDeleteRef.current = false;
      deleteRef.current?.focus();
    }
  }, [isConfirming]);

  const keep = () => {
    shouldFocusDeleteRef.current = true;
    setIsConfirming(false);
  };
  const onConfirmKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      keep();
    }
  };

  if (isConfirming && !isRunning) {
    const question = succeeded === 0 ? 'Delete this batch?' : `Delete this batch and its ${succeeded === 1 ? 'image' : `${succeeded} images`}?`;
    return (
      <div className={`${styles.actions} ${styles.confirm}`} role="group" aria-label="Confirm delete" onKeyDown={onConfirmKeyDown} data-testid="delete-confirmation">
        <span className={styles.confirmText}>{question}</span>
        <button
          type="button"
          className="button button-danger button-small"
          data-testid="delete-confirm"
          disabled={pending !== undefined}
          onClick={controls.onDelete}
        >
          {pending === 'delete' ? 'Deleting…' : 'Delete'}
        </button>
        <button ref={keepRef} type="button" className="button button-secondary button-small" data-testid="delete-cancel" onClick={keep}>
          Keep
        </button>
      </div>
    );
  }

  return (
    <div className={styles.actions}>
      {isRunning && !isCancelElsewhere ? (
        <button
          type="button"
          className="button button-secondary button-small"
          data-testid="batch-cancel"
          disabled={pending !== undefined}
          onClick={controls.onCancel}
        >
          {pending === 'cancel' ? 'Canceling…' : 'Cancel'}
        </button>
      ) : null}
      {!isRunning && retryLabel ? (
        <button
          type="button"
          className="button button-secondary button-small"
          data-testid="batch-retry"
          disabled={pending !== undefined}
          onClick={controls.onRetry}
          title="Run the failed images again, and those canceled before they ran"
        >
          {pending === 'retry' ? 'Retrying…' : retryLabel}
        </button>
      ) : null}
      <UseSettingsButton batchId={run.batchId} />
      {!isRunning && succeeded > 0 ? (
        <a className="button button-secondary button-small" href={controls.zipUrl} download data-testid="batch-zip">
          Download all (ZIP)
        </a>
      ) : null}
      {!isRunning ? (
        <button
          ref={deleteRef}
          type="button"
          className={`button button-secondary button-small ${styles.delete}`}
          data-testid="delete-button"
          disabled={pending !== undefined}
          onClick={() => setIsConfirming(true)}
          title="Delete this batch and its images from the server"
        >
          <svg className={styles.deleteIcon} viewBox="0 0 24 24" aria-hidden="true">
            <path
              d="M4.5 6.5h15M9.5 6.5V4.8c0-.7.6-1.3 1.3-1.3h2.4c.7 0 1.3.6 1.3 1.3v1.7M6.5 6.5l.8 12.2c.1 1 .9 1.8 1.9 1.8h5.6c1 0 1.8-.8 1.9-1.8l.8-12.2M10 10.5v6M14 10.5v6"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.7"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <span className={styles.deleteText}>Delete</span>
        </button>
      ) : null}
    </div>
  );
}
