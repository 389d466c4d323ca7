import { z } from 'zod';

/**
 * The prompts a person used lately and the ones they starred, kept in this browser (localStorage):
 * a convenience, not a record (the server keeps every batch). Pure updates; the storage is passed in.
 */
export interface PromptHistory {
  /** Newest first, without duplicates. */
  recent: string[];
  /** Newest star first. */
  starred: string[];
}

/** Recent prompts kept; starred ones are kept until unstarred. */
export const maxRecentPrompts = 20;
export const maxStarredPrompts = 100;
export const promptHistoryStorageKey = 'imagegen:prompt-history';

export const emptyPromptHistory: PromptHistory = { recent: [], starred: [] };

const storedHistorySchema = z.object({
  recent: z.array(z.string()).catch([]),
  starred: z.array(z.string()).catch([]),
});

/** The text (lines and variations as typed) goes first; an earlier use of it moves up. */
export function rememberPrompt(history: PromptHistory, prompt: string): PromptHistory {
  const text = prompt.trim();
  if (text === '') return history;
  return { ...history, recent: [text, ...history.recent.filter((entry) => entry !== text)].slice(0, maxRecentPrompts) };
}

export function isStarred(history: PromptHistory, prompt: string): boolean {
  return history.starred.includes(prompt);
}

export function toggleStar(history: PromptHistory, prompt: string): PromptHistory {
  const starred = isStarred(history, prompt)
    ? history.starred.filter((entry) => entry !== prompt)
    : [prompt, ...history.starred].slice(0, maxStarredPrompts);
  return { ...history, starred };
}

/** What the browser kept, or the empty history when nothing (or something unreadable) was kept. */
export function parsePromptHistory(stored: string | null): PromptHistory {
  if (stored === null) return emptyPromptHistory;
  try {
    const parsed = storedHistorySchema.safeParse(JSON.parse(stored));
    if (!parsed.success) return emptyPromptHistory;
    return { recent: parsed.data.recent.slice(0, maxRecentPrompts), starred: parsed.data.starred.slice(0, maxStarredPrompts) };
  } catch {
    return emptyPromptHistory;
  }
}

type HistoryStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** localStorage can be missing or refuse (private mode, quota): the history is then just not kept. */
export function loadPromptHistory(storage: HistoryStorage | undefined): PromptHistory {
  try {
    return parsePromptHistory(storage?.getItem(promptHistoryStorageKey) ?? null);
  } catch {
    return emptyPromptHistory;
  }
}

export function savePromptHistory(storage: HistoryStorage | undefined, history: PromptHistory): void {
  try {
    storage?.setItem(promptHistoryStorageKey, JSON.stringify(history));
  } catch {
    // Not kept this time; the page works the same.
  }
}

/** Loads, changes and saves in one step (another tab may have written meanwhile). */
export function updatePromptHistory(storage: HistoryStorage | undefined, change: (history: PromptHistory) => PromptHistory): PromptHistory {
  const next = change(loadPromptHistory(storage));
  savePromptHistory(storage, next);
  return next;
}
