'use client';

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import styles from './account-forms.module.css';

export interface ConfirmButtonProps {
  /** The button's text ("Revoke", "Delete"), also the confirming button's. */
  label: string;
  /** The confirming button's text while the action is on its way ("Revoking…"). */
  pendingLabel: string;
  /** What the confirmation asks: "Revoke this token?". */
  question: string;
  /** The action is on its way: both buttons wait. */
  isPending: boolean;
  /** Called once the person has confirmed. */
  onConfirm: () => void;
  /** `data-testid` of the button; the confirming one is `${testId}-confirm`, the safe one `${testId}-keep`. */
  testId: string;
}

/**
 * A destructive action in two steps, like a batch's Delete: the button turns into a question with
 * the action and a "Keep" that takes the focus (Escape keeps too, and gives the focus back).
 */
export function ConfirmButton({ label, pendingLabel, question, isPending, onConfirm, testId }: ConfirmButtonProps) {
  const [isConfirming, setIsConfirming] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const shouldFocusButtonRef = useRef(false);

  useEffect(() => {
    if (isConfirming) keepRef.current?.focus();
    else if (shouldFocusButtonRef.current) {
      shouldFocusButtonRef.current = false;
      buttonRef.current?.focus();
    }
  }, [isConfirming]);

  const keep = () => {
    shouldFocusButtonRef.current = true;
    setIsConfirming(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      keep();
    }
  };

  if (!isConfirming) {
    return (
      <button ref={buttonRef} type="button" className="button button-secondary button-small" onClick={() => setIsConfirming(true)} data-testid={testId}>
        {label}
      </button>
    );
  }
  return (
    <div className={styles.itemActions} role="group" aria-label={question} onKeyDown={onKeyDown}>
      <span className={styles.confirmText}>{question}</span>
      <button type="button" className="button button-danger button-small" disabled={isPending} onClick={onConfirm} data-testid={`${testId}-confirm`}>
        {isPending ? pendingLabel : label}
      </button>
      <button ref={keepRef} type="button" className="button button-secondary button-small" disabled={isPending} onClick={keep} data-testid={`${testId}-keep`}>
        Keep
      </button>
    </div>
  );
}
