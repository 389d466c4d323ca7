'use client';

import { useRemix } from './remix-context';
import styles from './remix-buttons.module.css';

/** On a batch card: its prompts, model, options and input images go back into the composer. */
export function UseSettingsButton({ batchId }: { batchId: string | null }) {
  const remix = useRemix();
  if (!remix || !batchId) return null;
  return (
    <button
      type="button"
      className="button button-secondary button-small"
      onClick={() => remix.applyBatchSettings(batchId)}
      title="Fill the composer with this batch’s prompts, model, options and input images"
      data-testid="batch-use-settings"
    >
      Use these settings
    </button>
  );
}

/** On a made image: the same prompt and settings once more, as a new one-image batch. */
export function MoreLikeThisButton({ batchId, index }: { batchId: string; index: number }) {
  const remix = useRemix();
  if (!remix) return null;
  return (
    <button
      type="button"
      className={styles.tileMore}
      onClick={() => remix.moreLikeThis(batchId, index)}
      aria-label={`More like image ${index}`}
      title="More like this: one more image with the same prompt and settings"
      data-testid="more-like-this"
    >
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <path
          d="M12 3.5l1.7 4.3 4.3 1.7-4.3 1.7-1.7 4.3-1.7-4.3-4.3-1.7 4.3-1.7zM18.5 14.5l.8 2 2 .8-2 .8-.8 2-.8-2-2-.8 2-.8zM6 15.5l.6 1.4 1.4.6-1.4.6L6 19.5l-.6-1.4-1.4-.6 1.4-.6z"
          fill="currentColor"
        />
      </svg>
    </button>
  );
}
