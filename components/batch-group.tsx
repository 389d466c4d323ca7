import { useEffect, useRef, type CSSProperties } from 'react';
import type { BatchRun, RunStatus } from '@/hooks/batch-state';
import { useNow } from '@/hooks/use-now';
import { formatTime } from './format';
import { ProviderBadge } from './provider-badge';
import { ResultSlot } from './result-slot';
import styles from './batch-group.module.css';

const statusLabels: Record<RunStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  partial: 'Partial',
  failed: 'Failed',
  canceled: 'Canceled',
};

interface BatchGroupProps {
  run: BatchRun;
  /** The newest batch: its tiles are the live "result-slot"s. */
  isCurrent: boolean;
  onOpen: (clientId: string, index: number) => void;
}

/** One batch of the session: prompt, time, provider, status, then one tile per requested image. */
export function BatchGroup({ run, isCurrent, onOpen }: BatchGroupProps) {
  const now = useNow(run.status === 'running' && run.slots.some((slot) => slot.retry));
  const succeeded = run.slots.filter((slot) => slot.status === 'succeeded').length;
  const headingId = `batch-${run.clientId}`;
  const groupRef = useRef<HTMLElement>(null);

  // A new batch's slots come into view (once, when it appears), so its images arrive where the eye is.
  const shouldRevealRef = useRef(isCurrent && run.status === 'running');
  useEffect(() => {
    if (!shouldRevealRef.current) return;
    const isMotionReduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    groupRef.current?.scrollIntoView({ block: 'nearest', behavior: isMotionReduced ? 'auto' : 'smooth' });
  }, []);

  return (
    <article ref={groupRef} className={styles.group} aria-labelledby={headingId} data-testid="batch-group" data-status={run.status}>
      <header className={styles.header}>
        <h3 className={styles.prompt} id={headingId} title={run.prompt}>
          {run.prompt}
        </h3>
        <div className={styles.meta}>
          <span className={`${styles.status} ${styles[run.status]}`} data-testid="batch-status">
            {statusLabels[run.status]}
          </span>
          <span>
            {succeeded}/{run.slots.length} images
          </span>
          <span>{run.aspectRatio}</span>
          {run.mode === 'image-to-image' ? <span title={run.inputName}>from image</span> : null}
          <time dateTime={new Date(run.startedAt).toISOString()}>{formatTime(run.startedAt)}</time>
          <ProviderBadge provider={run.provider} />
        </div>
        {run.problem ? <p className={styles.problem}>{run.problem}</p> : null}
      </header>
      <ol
        className={styles.grid}
        aria-label={`Images for “${run.prompt}”`}
        data-count={run.slots.length}
        style={{ '--columns': Math.min(run.slots.length, 4) } as CSSProperties}
      >
        {run.slots.map((slot) => (
          <ResultSlot
            key={slot.index}
            slot={slot}
            aspectRatio={run.aspectRatio}
            prompt={run.prompt}
            now={now}
            testId={isCurrent ? 'result-slot' : 'gallery-slot'}
            onOpen={(index) => onOpen(run.clientId, index)}
          />
        ))}
      </ol>
    </article>
  );
}
