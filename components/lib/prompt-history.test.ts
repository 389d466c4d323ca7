import { describe, expect, it } from 'vitest';
import {
  emptyPromptHistory,
  loadPromptHistory,
  maxRecentPrompts,
  parsePromptHistory,
  promptHistoryStorageKey,
  rememberPrompt,
  toggleStar,
  updatePromptHistory,
} from './prompt-history';

function memoryStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return { getItem: (key: string) => values.get(key) ?? null, setItem: (key: string, value: string) => void values.set(key, value), values };
}

describe('prompt history', () => {
  it('keeps the newest prompt first, once, trimmed, and the last 20', () => {
    let history = emptyPromptHistory;
    for (let count = 1; count <= 25; count += 1) history = rememberPrompt(history, `prompt ${count}`);
    history = rememberPrompt(history, '  prompt 10 ');
    history = rememberPrompt(history, '   ');
    expect(history.recent).toHaveLength(maxRecentPrompts);
    expect(history.recent.slice(0, 3)).toEqual(['prompt 10', 'prompt 25', 'prompt 24']);
    expect(history.recent.filter((prompt) => prompt === 'prompt 10')).toHaveLength(1);
  });

  it('stars and unstars a prompt', () => {
    const starred = toggleStar(toggleStar(emptyPromptHistory, 'a fox'), 'a whale');
    expect(starred.starred).toEqual(['a whale', 'a fox']);
    expect(toggleStar(starred, 'a fox').starred).toEqual(['a whale']);
  });

  it('reads what the browser kept, and nothing from unreadable storage', () => {
    expect(parsePromptHistory(JSON.stringify({ recent: ['a'], starred: ['b'] }))).toEqual({ recent: ['a'], starred: ['b'] });
    expect(parsePromptHistory(JSON.stringify({ recent: 'nope', starred: [1] }))).toEqual({ recent: [], starred: [] });
    expect(parsePromptHistory('{not json')).toEqual(emptyPromptHistory);
    expect(parsePromptHistory(null)).toEqual(emptyPromptHistory);
    const refusing = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } };
    expect(loadPromptHistory(refusing)).toEqual(emptyPromptHistory);
    expect(updatePromptHistory(refusing, (history) => rememberPrompt(history, 'still works'))).toEqual({ recent: ['still works'], starred: [] });
  });

  it('saves each change to the storage', () => {
    const storage = memoryStorage({ [promptHistoryStorageKey]: JSON.stringify({ recent: ['older'], starred: [] }) });
    updatePromptHistory(storage, (history) => rememberPrompt(history, 'newer'));
    expect(JSON.parse(storage.values.get(promptHistoryStorageKey)!)).toEqual({ recent: ['newer', 'older'], starred: [] });
    expect(loadPromptHistory(storage).recent).toEqual(['newer', 'older']);
  });
});
