import type { ListBatchesOptions } from './batch-store';

/** The filters of `listBatches` as query parameters: NULL (or false) turns a filter off. Shared by both stores. */
export interface PageFilterParameters {
  ownerId: string | null;
  statuses: string[] | null;
  providerId: string | null;
  modelId: string | null;
  /** ISO 8601, UTC. */
  createdFrom: string | null;
  createdBefore: string | null;
  /** A LIKE pattern: the text with `\`, `%` and `_` escaped by `\`, between `%`s. */
  promptPattern: string | null;
  onlyWithFavorites: boolean;
}

export function pageFilters(options: ListBatchesOptions): PageFilterParameters {
  const text = options.promptContains?.trim();
  return {
    ownerId: options.ownerId ?? null,
    statuses: options.statuses === undefined ? null : [...options.statuses],
    providerId: options.providerId ?? null,
    modelId: options.modelId ?? null,
    createdFrom: options.createdFrom?.toISOString() ?? null,
    createdBefore: options.createdBefore?.toISOString() ?? null,
    promptPattern: text ? `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%` : null,
    onlyWithFavorites: options.onlyWithFavorites ?? false,
  };
}
