import { useCallback, useEffect, useId, useRef, useState, type CSSProperties } from 'react';
import type { BatchRun, RunStatus } from '@/components/lib/batch-state';
import type { BatchCostLabel } from '@/components/lib/cost-estimate';
import type { WebhookStatusLabel } from '@/components/lib/webhook-status';
import { isRatioOff, tileRatio } from '@/components/lib/tile-ratio';
import { visibleSlots } from '@/components/lib/visible-slots';
import { useNow } from '@/hooks/use-now';
import { BatchActions, type BatchControls } from './batch-actions';
import { BatchStrip } from './batch-strip';
import { LocalTime } from './local-time';
import { ProviderBadge } from './provider-badge';
import { CanceledTile, ResultSlot } from './result-slot';
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
  /** What it cost once it has run, or the estimate while it runs; absent when unknown. */
  cost?: BatchCostLabel;
  controls: BatchControls;
  /** Its webhooks' state, when it has any: "Webhook: delivered", "Webhook: retrying (3 attempts, last 500)". */
  webhook?: WebhookStatusLabel;
}

/**
 * One batch: prompt(s), time, provider, cost, status, actions, then its tiles in justified rows, each
 * tile of its image's ratio. A running batch shows a slim strip and placeholders for the next few
 * images only.
 */
export function BatchGroup({ run, isCurrent, onOpen, cost, controls, webhook }: BatchGroupProps) {
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

  // The tile's ratio: the batch's size or aspect ratio, corrected by an image's natural size once loaded.
  const assumedRatio = tileRatio(run.aspectRatio, run.settings?.size);
  const [measuredRatios, setMeasuredRatios] = useState<Record<number, number>>({});
  const measure = useCallback(
    (index: number, width: number, height: number) => {
      if (isRatioOff(assumedRatio, width, height)) setMeasuredRatios((ratios) => (ratios[index] ? ratios : { ...ratios, [index]: width / height }));
    },
    [assumedRatio],
  );
  const ratioOf = (index: number) => measuredRatios[index] ?? assumedRatio;

  const visible = visibleSlots(run);
  const isCollapsed = !isCurrent && !isExpanded && visible.slots.length > collapsedSlotCount;
  const slots = isCollapsed ? visible.slots.slice(0, collapsedSlotCount) : visible.slots;
  const hasCanceledTile = visible.canceledTogether > 0 && !isCollapsed;
  // How wide its tiles would be in one row: small batches share a row with their neighbours.
  const groupRatio = slots.reduce((sum, slot) => sum + ratioOf(slot.index), 0) + (hasCanceledTile ? assumedRatio : 0);

  return (
    <article
      ref={groupRef}
      className={styles.group}
      style={{ '--group-ratio': groupRatio, '--group-tiles': Math.max(1, slots.length + (hasCanceledTile ? 1 : 0)) } as CSSProperties}
      aria-labelledby={headingId}
      data-testid="batch-card"
      data-status={status}
      data-batch-id={run.batchId ?? undefined}
    >
      <header className={styles.header}>
        <h3 className={styles.prompt} id={headingId} title={run.prompt}>
          {run.prompt}
        </h3>
        {run.prompts.length > 1 ? <MorePrompts prompts={run.prompts} /> : null}
        <div className={styles.meta}>
          <span className={`${styles.status} ${styles[status]}`} data-testid="batch-status">
            {statusLabels[status]}
          </span>
          <span>
            {succeeded}/{run.slots.length} images
          </span>
          <span>{run.aspectRatio}</span>
          {run.mode === 'image-to-image' ? <span title={run.inputName}>from image</span> : null}
          <span data-testid="batch-time">
            <LocalTime timestamp={run.startedAt} />
          </span>
          <ProviderBadge provider={run.provider} />
          {cost ? (
            <span className={cost.isEstimate ? styles.estimate : undefined} title={cost.title} data-testid="batch-cost" data-estimate={cost.isEstimate}>
              {cost.text}
            </span>
          ) : null}
          {webhook && run.status !== 'running' ? (
            <span className={styles[`webhook-${webhook.tone}`]} title={webhook.title} data-testid="batch-webhook" data-tone={webhook.tone}>
              {webhook.text}
            </span>
          ) : null}
        </div>
        <BatchActions run={run} controls={controls} isCancelElsewhere={isCurrent} />
      </header>
      {run.status === 'running' ? <BatchStrip run={run} hiddenQueued={visible.hiddenQueued} /> : null}
      <ol
        className={styles.grid}
        aria-label={run.prompts.length > 1 ? `Images for “${run.prompt}” and ${run.prompts.length - 1} more prompts` : `Images for “${run.prompt}”`}
        data-count={run.slots.length}
      >
        {slots.map((slot) => (
          <ResultSlot
            key={slot.index}
            slot={slot}
            ratio={ratioOf(slot.index)}
            onMeasure={measure}
            prompt={slot.prompt}
            now={now}
            testId={isCurrent ? 'result-slot' : 'gallery-slot'}
            isLazy={!isCurrent}
            onOpen={(index) => onOpen(run.clientId, index)}
            batchId={run.batchId}
          />
        ))}
        {hasCanceledTile ? <CanceledTile count={visible.canceledTogether} ratio={assumedRatio} /> : null}
      </ol>
      {isCollapsed ? (
        <button type="button" className={`button button-secondary button-small ${styles.more}`} onClick={() => setIsExpanded(true)} data-testid="batch-expand">
          Show all {run.slots.length} images
        </button>
      ) : null}
    </article>
  );
}

/** The prompts after the first of a batch of several: "+ 2 more prompts", opened into the full list. */
function MorePrompts({ prompts }: { prompts: string[] }) {
  const [isOpen, setIsOpen] = useState(false);
  const listId = useId();
  const more = prompts.length - 1;
  return (
    <div className={styles.morePrompts}>
      <button
        type="button"
        className={styles.promptsToggle}
        aria-expanded={isOpen}
        aria-controls={listId}
        onClick={() => setIsOpen((open) => !open)}
        data-testid="batch-prompts-toggle"
      >
        {isOpen ? 'Hide the prompts' : `+ ${more} more prompt${more === 1 ? '' : 's'}`}
      </button>
      <ol id={listId} className={styles.promptList} data-testid="batch-prompts" hidden={!isOpen}>
        {prompts.map((prompt, offset) => (
          <li key={offset}>{prompt}</li>
        ))}
      </ol>
    </div>
  );
}
