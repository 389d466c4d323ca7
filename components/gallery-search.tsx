'use client';

import { useEffect, useId, useRef, useState } from 'react';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import { emptyGalleryQuery, isEmptyGalleryQuery, type GalleryQuery, type StatusChoice } from '@/components/lib/gallery-query';
import { useTypedBeforeHydration } from '@/hooks/use-typed-before-hydration';
import styles from './find-and-keep.module.css';

const statusLabels: Record<StatusChoice, string> = {
  '': 'Any status',
  running: 'Running',
  completed: 'Completed',
  partial: 'Partly failed',
  failed: 'Failed',
  canceled: 'Canceled',
};

/** How long typing pauses before the search runs. */
const typingPauseMs = 300;

interface GallerySearchProps {
  query: GalleryQuery;
  onChange: (query: GalleryQuery) => void;
  catalog: ProvidersCatalog;
}

/**
 * The search above the gallery: prompt text (searched as the person pauses typing), status, model,
 * a range of days and favorites (each at once). A `role="search"` landmark; every field labelled.
 */
export function GallerySearch({ query, onChange, catalog }: GallerySearchProps) {
  const id = useId();
  const [text, setText] = useState(query.q);
  const textField = useRef<HTMLInputElement>(null);

  // Typing settles before it searches; a search changed elsewhere (Clear) resets the box.
  useEffect(() => setText(query.q), [query.q]);
  // After the effect above: on mount both run, in order, and the typing must win.
  useTypedBeforeHydration(textField, setText);
  useEffect(() => {
    if (text === query.q) return;
    const timer = setTimeout(() => onChange({ ...query, q: text }), typingPauseMs);
    return () => clearTimeout(timer);
  }, [text, query, onChange]);

  const modelValue = query.provider || query.model ? `${query.provider}:${query.model}` : '';
  const isKnownModel = catalog.providers.some((provider) => provider.models.some((model) => `${provider.id}:${model.id}` === modelValue));

  return (
    <form
      role="search"
      aria-label="Search the gallery"
      className={styles.search}
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ ...query, q: text });
      }}
    >
      <div className={`${styles.field} ${styles.textField}`}>
        <label htmlFor={`${id}-q`}>Search prompts</label>
        <input
          id={`${id}-q`}
          ref={textField}
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="lighthouse, red fox…"
          maxLength={200}
          autoComplete="off"
          data-testid="search-input"
        />
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-status`}>Status</label>
        <select id={`${id}-status`} value={query.status} onChange={(event) => onChange({ ...query, status: event.target.value as StatusChoice })} data-testid="filter-status">
          {Object.entries(statusLabels).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-model`}>Model</label>
        <select
          id={`${id}-model`}
          value={modelValue}
          onChange={(event) => {
            const [provider = '', ...model] = event.target.value.split(':');
            onChange({ ...query, provider, model: model.join(':') });
          }}
          data-testid="filter-model"
        >
          <option value="">Any model</option>
          {modelValue && !isKnownModel ? <option value={modelValue}>{query.model || query.provider}</option> : null}
          {catalog.providers.map((provider) => (
            <optgroup key={provider.id} label={provider.label}>
              {provider.models.map((model) => (
                <option key={model.id} value={`${provider.id}:${model.id}`}>
                  {model.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="date" value={query.from} max={query.to || undefined} onChange={(event) => onChange({ ...query, from: event.target.value })} data-testid="filter-from" />
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="date" value={query.to} min={query.from || undefined} onChange={(event) => onChange({ ...query, to: event.target.value })} data-testid="filter-to" />
      </div>
      <label className={styles.toggle}>
        <input type="checkbox" checked={query.favorites} onChange={(event) => onChange({ ...query, favorites: event.target.checked })} data-testid="filter-favorites" />
        Favorites only
      </label>
      {isEmptyGalleryQuery(query) && text === '' ? null : (
        <button
          type="button"
          className={`button button-secondary button-small ${styles.clear}`}
          onClick={() => {
            setText('');
            onChange(emptyGalleryQuery);
          }}
          data-testid="search-clear"
        >
          Clear search
        </button>
      )}
    </form>
  );
}
