'use client';

import { useEffect, useRef, useState } from 'react';
import styles from './account-forms.module.css';

type CopyState = 'idle' | 'copied' | 'refused';

/**
 * A new API token's secret, shown this once: the page forgets it on "Done". Copy puts it on the
 * clipboard; where the browser refuses, the secret is selected for Ctrl+C.
 */
export function NewTokenSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copyState, setCopyState] = useState<CopyState>('idle');
  const inputRef = useRef<HTMLInputElement>(null);
  const copyRef = useRef<HTMLButtonElement>(null);

  useEffect(() => copyRef.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopyState('copied');
    } catch {
      inputRef.current?.select();
      setCopyState('refused');
    }
  };

  return (
    <div className={styles.secret} data-testid="token-created">
      <p className={styles.secretWarning}>Token “{name}” is ready. Copy it now: you will not see it again.</p>
      <div className={styles.secretRow}>
        <input
          ref={inputRef}
          className={`${styles.input} ${styles.secretValue}`}
          value={secret}
          readOnly
          aria-label="The new API token"
          onFocus={(event) => event.currentTarget.select()}
          data-testid="token-secret"
        />
        <button ref={copyRef} type="button" className="button button-primary" onClick={() => void copy()} data-testid="token-copy">
          {copyState === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className={styles.note} role="status" aria-live="polite" data-testid="token-copy-status">
        {copyState === 'copied'
          ? 'Copied to the clipboard.'
          : copyState === 'refused'
            ? 'The browser did not allow copying: the token is selected, press Ctrl+C (⌘C).'
            : 'Send it with each request as the header Authorization: Bearer <token>.'}
      </p>
      <div className={styles.actions}>
        <span />
        <button type="button" className="button button-secondary button-small" onClick={onDone} data-testid="token-done">
          Done, I have copied it
        </button>
      </div>
    </div>
  );
}
