'use client';

import { useState } from 'react';
import { ConfirmButton } from './confirm-button';
import styles from './find-and-keep.module.css';

interface SelectionBarProps {
  isSelecting: boolean;
  onSelectingChange: (isSelecting: boolean) => void;
  /** Images chosen. */
  count: number;
  onSelectAll: () => void;
  onClear: () => void;
  onDownload: () => Promise<void>;
  onDelete: () => Promise<void>;
}

const images = (count: number) => (count === 1 ? '1 image' : `${count} images`);

/** Select mode: a checkbox on every image, then one ZIP of the chosen ones (or delete them). */
export function SelectionBar({ isSelecting, onSelectingChange, count, onSelectAll, onClear, onDownload, onDelete }: SelectionBarProps) {
  const [busy, setBusy] = useState<'zip' | 'delete' | null>(null);
  const run = async (kind: 'zip' | 'delete', work: () => Promise<void>) => {
    setBusy(kind);
    try {
      await work();
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className={styles.selection} role="group" aria-label="Choose images">
      <button
        type="button"
        className="button button-secondary button-small"
        aria-pressed={isSelecting}
        onClick={() => onSelectingChange(!isSelecting)}
        data-testid="select-mode"
      >
        {isSelecting ? 'Done selecting' : 'Select images'}
      </button>
      {isSelecting ? (
        <>
          <span className={styles.selectionCount} aria-live="polite" data-testid="selection-count">
            {images(count)} selected
          </span>
          <button type="button" className="button button-secondary button-small" onClick={onSelectAll} data-testid="select-all">
            Select all shown
          </button>
          <button type="button" className="button button-secondary button-small" onClick={onClear} disabled={count === 0} data-testid="selection-clear">
            Clear
          </button>
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => void run('zip', onDownload)}
            disabled={count === 0 || busy !== null}
            aria-busy={busy === 'zip'}
            data-testid="download-zip"
          >
            {busy === 'zip' ? 'Making the ZIP…' : `Download ${images(count)} as ZIP`}
          </button>
          {count > 0 ? (
            <ConfirmButton
              label={`Delete ${images(count)}`}
              pendingLabel="Deleting…"
              question={`Delete ${images(count)} from the server?`}
              isPending={busy === 'delete'}
              onConfirm={() => void run('delete', onDelete)}
              testId="delete-selected"
            />
          ) : null}
        </>
      ) : null}
    </div>
  );
}
