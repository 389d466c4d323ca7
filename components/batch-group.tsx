import { useEffect, useRef, useState, type CSSProperties } from 'react';
import type { BatchRun, RunStatus } from '@/hooks/batch-state';
import type { BatchCostLabel } from '@/hooks/cost-estimate';
import { useNow } from '@/hooks/use-now';
import { BatchActions, type SavedBatchControls } from './batch-actions';
import { LocalTime } from './local-time';
import { ProviderBadge } from './provider-badge';
import { ResultSlot } from './result-slot';
import styles from './batch-group.module.css';

type CardStatus = RunStatus | 'queued';

const statusLabels: Record<CardStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  partial: 'Partial',
  failed: 'Failed',
  canceled: 'Canceled',
};

/** Tiles shown for a large batch of the history until "Show all" is pressed. */
const collapsedSlotCount = 12;

interface BatchGroupProps {
  run: BatchRun;
  /** The batch of the live area: its tiles are the live "result-slot"s. */
  isCurrent: boolean;
  onOpen: (clientId: string, index: number) => void;
  /** What it cost (a stored batch that has run) or an estimate; absent when unknown. */
  cost?: BatchCostLabel;
  /** A batch the server keeps (its actions); absent for a batch that lives in this tab only. */
  saved?: SavedBatchControls;
}

/** One batch: prompt, time, provider, cost, status, actions, then one tile per requested image. */
export function BatchGroup({ run, isCurrent, onOpen, cost, saved }: BatchGroupProps) {
  const now = useNow(run.status === 'running' && run.slots.some((slot) => slot.retry));
  const [isExpanded, setIsExpanded] = useState(false);
  const succeeded = run.slots.filter((slot) => slot.status === 'succeeded').length;
  const headingId = `batch-${run.clientId}`;
  const groupRef = useRef<HTMLElement>(null);
  const status: CardStatus = run.status === 'running' && run.slots.every((slot) => slot.status === 'queued') ? 'queued' : run.status;

  // A new batch's slots come into view (once, when it appears), so its images arrive where the eye is.
  const shouldRevealRef = useRef(isCurrent && run.status === 'running');
  useEffect(() => {
    if (!shouldRevealRef.current) return;
    const isMotionReduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    groupRef.current?.scrollIntoView({ block: 'nearest', behavior: isMotionReduced ? 'auto' : 'smooth' });
  }, []);

  const isCollapsed = !isCurrent && !isExpanded && run.slots.length > collapsedSlotCount;
  const slots = isCollapsed ? run.slots.slice(0, collapsedSlotCount) : run.slots;
  const isMany = run.slots.length > 4;

  return (
    <article
      ref={groupRef}
      className={styles.group}
      aria-labelledby={headingId}
      data-testid="batch-card"
      data-status={status}
      data-source={saved ? 'server' : 'session'}
      data-batch-id={run.batchId ?? undefined}
    >
      <header className={styles.header}>
        <h3 className={styles.prompt} id={headingId} title={run.prompt}>
          {run.prompt}
        </h3>
        <div className={styles.meta}>
          <span className={`${styles.status} ${styles[status]}`} data-testid="batch-status">
            {statusLabels[status]}
          </span>
          <span>
            {succeeded}/{run.slots.length} images
          </span>
          <span>{run.aspectRatio}</span>
          {run.mode === 'image-to-image' ? <span title={run.inputName}>from image</span> : null}
          <LocalTime timestamp={run.startedAt} />
          <ProviderBadge provider={run.provider} />
          {cost ? (
            <span className={cost.isEstimate ? styles.estimate : undefined} title={cost.title} data-testid="batch-cost" data-estimate={cost.isEstimate}>
              {cost.text}
            </span>
          ) : null}
          {saved ? null : (
            <span className={styles.unsaved} title="Batches of 1 to 4 images run in this tab; they are not kept on the server.">
              this tab only
            </span>
          )}
        </div>
        {run.problem ? <p className={styles.problem}>{run.problem}</p> : null}
        {saved ? <BatchActions run={run} controls={saved} /> : null}
      </header>
      <ol
        className={`${styles.grid} ${isMany ? styles.many : ''}`}
        aria-label={`Images for “${run.prompt}”`}
        data-count={run.slots.length}
        style={{ '--columns': Math.min(run.slots.length, 4) } as CSSProperties}
      >
        {slots.map((slot) => (
          <ResultSlot
            key={slot.index}
            slot={slot}
            aspectRatio={run.aspectRatio}
            prompt={run.prompt}
            now={now}
            testId={isCurrent ? 'result-slot' : 'gallery-slot'}
            isLazy={!isCurrent}
            onOpen={(index) => onOpen(run.clientId, index)}
          />
        ))}
      </ol>
      {isCollapsed ? (
        <button type="button" className={`button button-secondary button-small ${styles.more}`} onClick={() => setIsExpanded(true)} data-testid="batch-expand">
          Show all {run.slots.length} images
        </button>
      ) : null}
    </article>
  );
}
