'use client';

import { lazy, Suspense, useId, useRef, useState } from 'react';
import styles from './prompt-history.module.css';

// The list is loaded on the first open: the first page load carries only this button.
const PromptHistoryPopover = lazy(() => import('./prompt-history-popover'));

/** "History" by the prompt: recent and starred prompts; choosing one fills the prompt. */
export function PromptHistoryButton({ onPick }: { onPick: (prompt: string) => void }) {
  const [isOpen, setIsOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const popoverId = useId();

  const close = (shouldFocusButton: boolean) => {
    setIsOpen(false);
    if (shouldFocusButton) buttonRef.current?.focus();
  };

  return (
    <div className={styles.anchor}>
      <button
        ref={buttonRef}
        type="button"
        className={`button button-secondary ${styles.toggle}`}
        aria-expanded={isOpen}
        aria-controls={isOpen ? popoverId : undefined}
        aria-haspopup="dialog"
        onClick={() => setIsOpen((open) => !open)}
        data-testid="history-button"
      >
        History
      </button>
      {isOpen ? (
        <Suspense fallback={null}>
          <PromptHistoryPopover
            id={popoverId}
            anchorRef={buttonRef}
            onPick={(prompt) => {
              onPick(prompt);
              close(false);
            }}
            onClose={close}
          />
        </Suspense>
      ) : null}
    </div>
  );
}
