'use client';

import { useEffect, useState } from 'react';
import type { BatchRun } from '@/components/lib/batch-state';
import { endLabel, progressCounts, progressLabel, progressTone } from '@/components/lib/progress-wording';
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
  const runStartedAt = run ? (run.retry?.startedAt ?? run.startedAt) : 0;
  const runId = run ? `${run.clientId}@${runStartedAt}` : undefined;
  const hasEnded = run !== null && !isRunning;

  useEffect(() => {
    if (!hasEnded || !runId) return;
    const timer = setTimeout(() => setClearedRunId(runId), progressLingerMs);
    return () => clearTimeout(timer);
  }, [hasEnded, runId]);

  const isVisible = run !== null && clearedRunId !== runId;
  const { finished, total } = run ? progressCounts(run) : { finished: 0, total: 0 };
  // A retry's clock is its own, labelled as such: the batch's elapsed time never "resets" to 0.
  const elapsedMs = run ? (run.endedAt ?? Math.max(now, runStartedAt)) - runStartedAt : 0;
  const elapsedLabel = run?.retry ? (isRunning ? 'Retry running for' : 'Retry took') : 'Elapsed';
  const tone = run ? progressTone(run) : 'normal';

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
            <span data-testid="progress-elapsed">
              {elapsedLabel} {formatDuration(elapsedMs)}
            </span>
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
          aria-label={run.retry ? 'Retried images finished' : 'Images finished'}
          aria-valuemin={0}
          aria-valuemax={total}
          aria-valuenow={finished}
          aria-valuetext={tone === 'failed' ? endLabel(run) : `${finished} of ${total} images finished`}
        >
          <div
            className={`${styles.fill} ${tone === 'normal' ? '' : styles[tone]}`}
            data-testid="progress-fill"
            data-tone={tone}
            style={{ width: `${total === 0 ? 0 : (finished / total) * 100}%` }}
          />
        </div>
      ) : null}
    </section>
  );
}
