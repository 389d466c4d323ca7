import type { BatchRun } from '@/hooks/batch-state';
import type { BatchAction } from '@/hooks/use-server-batches';
import styles from './batch-group.module.css';

/** What a batch kept by the server offers: cancel, retry of what failed, every image as a ZIP. */
export interface SavedBatchControls {
  zipUrl: string;
  /** A request for this batch is on its way. */
  pending?: BatchAction;
  onCancel: () => void;
  onRetry: () => void;
}

export function BatchActions({ run, controls }: { run: BatchRun; controls: SavedBatchControls }) {
  const isRunning = run.status === 'running';
  const retryable = run.slots.filter((slot) => slot.status === 'failed' || slot.status === 'canceled').length;
  const succeeded = run.slots.filter((slot) => slot.status === 'succeeded').length;
  const { pending } = controls;
  if (!isRunning && retryable === 0 && succeeded === 0) return null;

  return (
    <div className={styles.actions}>
      {isRunning ? (
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
      {!isRunning && retryable > 0 ? (
        <button
          type="button"
          className="button button-secondary button-small"
          data-testid="batch-retry"
          disabled={pending !== undefined}
          onClick={controls.onRetry}
          title="Run the failed and canceled images again"
        >
          {pending === 'retry' ? 'Retrying…' : `Retry failed (${retryable})`}
        </button>
      ) : null}
      {!isRunning && succeeded > 0 ? (
        <a className="button button-secondary button-small" href={controls.zipUrl} download data-testid="batch-zip">
          Download all (ZIP)
        </a>
      ) : null}
    </div>
  );
}
