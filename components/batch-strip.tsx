import type { BatchRun } from '@/components/lib/batch-state';
import { describeStrip, stripCounts } from '@/components/lib/visible-slots';
import styles from './batch-group.module.css';

/**
 * A running batch's progress inside its card: a slim bar and "12 of 50 done · 35 more queued", in
 * place of a wall of queued placeholders. Not a live region (the progress panel announces the live
 * batch; a background batch's every image would be noise).
 */
export function BatchStrip({ run, hiddenQueued }: { run: BatchRun; hiddenQueued: number }) {
  const counts = stripCounts(run);
  const ended = counts.succeeded + counts.failed;
  return (
    <div className={styles.strip} data-testid="batch-strip">
      <div className={styles.stripTrack} aria-hidden="true">
        <div className={styles.stripFill} style={{ width: `${counts.total === 0 ? 0 : (ended / counts.total) * 100}%` }} />
      </div>
      <span className={styles.stripText}>{describeStrip(counts, hiddenQueued)}</span>
    </div>
  );
}
