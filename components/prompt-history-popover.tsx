'use client';

import { useEffect, useId, useRef, useState, type RefObject } from 'react';
import { isStarred, loadPromptHistory, toggleStar, updatePromptHistory, type PromptHistory } from '@/components/lib/prompt-history';
import styles from './prompt-history.module.css';

interface PromptHistoryPopoverProps {
  id: string;
  /** The History button: a click on it is not a click outside. */
  anchorRef: RefObject<HTMLElement | null>;
  onPick: (prompt: string) => void;
  /** `shouldFocusButton`: Escape gives the focus back to the button; a click elsewhere keeps it there. */
  onClose: (shouldFocusButton: boolean) => void;
}

const browserStorage = () => (typeof window === 'undefined' ? undefined : window.localStorage);

/** Starred prompts, then the recent ones; each can be chosen or (un)starred. Escape or a click outside closes. */
export default function PromptHistoryPopover({ id, anchorRef, onPick, onClose }: PromptHistoryPopoverProps) {
  const [history, setHistory] = useState<PromptHistory>(() => loadPromptHistory(browserStorage()));
  const popoverRef = useRef<HTMLDivElement>(null);
  /** The prompt just (un)starred: it moved between the lists, its star keeps the focus. */
  const [starredLast, setStarredLast] = useState<string | null>(null);

  useEffect(() => {
    popoverRef.current?.querySelector<HTMLElement>('button')?.focus();
  }, []);

  useEffect(() => {
    if (starredLast === null) return;
    const stars = popoverRef.current?.querySelectorAll<HTMLButtonElement>('[data-testid="history-star"]') ?? [];
    Array.from(stars).find((button) => button.dataset.prompt === starredLast)?.focus();
  }, [starredLast, history]);

  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!popoverRef.current?.contains(target) && !anchorRef.current?.contains(target)) onClose(false);
    };
    // On the document: Escape closes wherever the focus is while the popover is open.
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose(true);
    };
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [anchorRef, onClose]);

  const star = (prompt: string) => {
    setHistory(updatePromptHistory(browserStorage(), (current) => toggleStar(current, prompt)));
    setStarredLast(prompt);
  };
  const recent = history.recent.filter((prompt) => !isStarred(history, prompt));

  return (
    <div ref={popoverRef} id={id} className={styles.popover} role="dialog" aria-label="Prompt history" data-testid="history-popover">
      {history.starred.length === 0 && recent.length === 0 ? (
        <p className={styles.empty}>No prompts yet: the prompts you generate with appear here.</p>
      ) : null}
      <HistoryList title="Starred" prompts={history.starred} history={history} onPick={onPick} onStar={star} />
      <HistoryList title="Recent" prompts={recent} history={history} onPick={onPick} onStar={star} />
    </div>
  );
}

interface HistoryListProps {
  title: string;
  prompts: string[];
  history: PromptHistory;
  onPick: (prompt: string) => void;
  onStar: (prompt: string) => void;
}

function HistoryList({ title, prompts, history, onPick, onStar }: HistoryListProps) {
  const headingId = useId();
  if (prompts.length === 0) return null;
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.heading}>
        {title}
      </h3>
      <ul className={styles.list}>
        {prompts.map((prompt) => {
          const starred = isStarred(history, prompt);
          return (
            <li key={prompt} className={styles.entry}>
              <button type="button" className={styles.pick} title={prompt} onClick={() => onPick(prompt)} data-testid="history-entry">
                {prompt}
              </button>
              <button
                type="button"
                className={styles.star}
                aria-pressed={starred}
                aria-label={`Star “${prompt}”`}
                onClick={() => onStar(prompt)}
                data-prompt={prompt}
                data-testid="history-star"
              >
                <span aria-hidden="true">{starred ? '★' : '☆'}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
