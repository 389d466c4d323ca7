'use client';

import { useEffect, useState } from 'react';
import { endLabel, progressLabel, type BatchRun } from '@/components/lib/batch-state';
import { useNow } from '@/hooks/use-now';
import { formatDuration } from './format';
import styles from './batch-progress.module.css';

/** How long the finished line stays before it clears (the slots stay). */
export const progressLingerMs = 2000;

interface BatchProgressProps {
  /** The newest batch, or null before the first. */
  run: BatchRun | null;
  onCancel: () => void;
  /** The cancel request is on its way. */
  isCancelPending?: boolean;
}

/**
 * "Generating X/Y..." with a determinate bar, ETA and elapsed time, all from server events (the 1 s
 * ticker only moves the elapsed clock). The live region is always in the DOM so that screen readers
 * announce its changes.
 */
export function BatchProgress({ run, onCancel, isCancelPending = false }: BatchProgressProps) {
  const [clearedRunId, setClearedRunId] = useState<string | null>(null);
  const isRunning = run?.status === 'running';
  const now = useNow(isRunning);
  // A batch retried later is a new run of the same batch: its line shows again.
  const runId = run ? `${run.clientId}@${run.startedAt}` : undefined;
  const hasEnded = run !== null && !isRunning;

  useEffect(() => {
    if (!hasEnded || !runId) return;
    const timer = setTimeout(() => setClearedRunId(runId), progressLingerMs);
    return () => clearTimeout(timer);
  }, [hasEnded, runId]);

  const isVisible = run !== null && clearedRunId !== runId;
  const total = run?.slots.length ?? 0;
  const finished = run?.finished ?? 0;
  const elapsedMs = run ? (run.endedAt ?? Math.max(now, run.startedAt)) - run.startedAt : 0;

  return (
    <section className={isVisible ? styles.panel : styles.empty} aria-label={isVisible ? 'Batch progress' : undefined}>
      <div className={styles.line}>
        <div aria-live="polite" className={styles.live}>
          {isVisible && run ? (
            <p className={styles.text} data-testid="progress-text">
              {isRunning ? progressLabel(run) : endLabel(run)}
            </p>
          ) : null}
        </div>
        {isVisible && run ? (
          <p className={styles.meta}>
            {isRunning ? (
              <span data-testid="progress-eta">
                {run.etaMs === null ? 'Estimating time left…' : `About ${formatDuration(run.etaMs)} left`}
              </span>
            ) : null}
            <span data-testid="progress-elapsed">Elapsed {formatDuration(elapsedMs)}</span>
          </p>
        ) : null}
        {isVisible && isRunning ? (
          <button type="button" className="button button-secondary" data-testid="cancel-button" onClick={onCancel} disabled={isCancelPending}>
            {isCancelPending ? 'Canceling…' : 'Cancel'}
          </button>
        ) : null}
      </div>
      {isVisible && run ? (
        <div
          className={styles.track}
          role="progressbar"
          data-testid="progress-bar"
          aria-label="Images finished"
          aria-valuemin={0}
          aria-valuemax={total}
          aria-valuenow={finished}
          aria-valuetext={`${finished} of ${total} images finished`}
        >
          <div
            className={`${styles.fill} ${run.status === 'canceled' ? styles.canceled : ''}`}
            style={{ width: `${total === 0 ? 0 : (finished / total) * 100}%` }}
          />
        </div>
      ) : null}
    </section>
  );
}
