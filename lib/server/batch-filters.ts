import { storedBatchStatuses, type StoredBatchStatus } from '@/lib/core';
import type { ListBatchesOptions } from '@/lib/store';
import { InputError } from './input-error';

/** The search and filters of `GET /api/batches` (and of the page's URL). */
export interface BatchFilters {
  /** Text any of the batch's prompts contains, ignoring case. */
  q?: string;
  /** One or more statuses (`status=queued,running`). */
  statuses?: StoredBatchStatus[];
  provider?: string;
  model?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
  /** Only batches holding a favorite image. */
  favorites?: boolean;
}

const maxSearchLength = 200;
const maxNameLength = 200;
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const timePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const dayMs = 24 * 60 * 60_000;

/**
 * Reads the filters from a query string; a 400 naming the parameter when one is not valid. Empty
 * parameters are no filter (a cleared search box). `from` and `to` take a time with its zone
 * (`2026-05-01T09:00:00Z`, `…+02:00`) or a day (`2026-05-01`, a UTC day): `to` given as a day takes
 * in the whole day.
 */
export function parseBatchFilters(parameters: URLSearchParams): BatchFilters {
  const filters: BatchFilters = {};
  const text = (name: string) => {
    const value = parameters.get(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const q = text('q');
  if (q !== undefined) {
    if (q.length > maxSearchLength) throw new InputError(`q (the search) is at most ${maxSearchLength} characters.`, { field: 'q' });
    filters.q = q;
  }

  const status = text('status');
  if (status !== undefined) {
    const statuses = [...new Set(status.split(',').map((entry) => entry.trim()))];
    if (!statuses.every((entry): entry is StoredBatchStatus => (storedBatchStatuses as readonly string[]).includes(entry))) {
      throw new InputError(`status must be one or more of ${storedBatchStatuses.join(', ')}, separated by commas.`, { field: 'status' });
    }
    filters.statuses = statuses;
  }

  for (const name of ['provider', 'model'] as const) {
    const value = text(name);
    if (value === undefined) continue;
    if (value.length > maxNameLength) throw new InputError(`${name} is at most ${maxNameLength} characters.`, { field: name });
    filters[name] = value;
  }

  const from = text('from');
  if (from !== undefined) filters.from = parseTime(from, 'from');
  const to = text('to');
  if (to !== undefined) filters.to = new Date(parseTime(to, 'to').getTime() + (dayPattern.test(to) ? dayMs : 0));
  if (filters.from && filters.to && filters.from >= filters.to) {
    throw new InputError('from must be before to.', { field: 'from' });
  }

  const favorites = text('favorites');
  if (favorites !== undefined) {
    if (!['1', 'true', '0', 'false'].includes(favorites)) throw new InputError('favorites must be 1 (only batches with a favorite image) or 0.', { field: 'favorites' });
    if (favorites === '1' || favorites === 'true') filters.favorites = true;
  }
  return filters;
}

function parseTime(value: string, field: 'from' | 'to'): Date {
  const time = dayPattern.test(value) ? Date.parse(`${value}T00:00:00Z`) : timePattern.test(value) ? Date.parse(value) : Number.NaN;
  // Date.parse rolls 2026-02-31 over to March: a day that does not exist is refused instead.
  if (Number.isNaN(time) || (dayPattern.test(value) && new Date(time).toISOString().slice(0, 10) !== value)) {
    throw new InputError(`${field} must be a day (2026-05-01) or a time with its zone (2026-05-01T09:00:00Z).`, { field });
  }
  return new Date(time);
}

/** The filters as the store takes them. */
export function toStoreFilters(filters: BatchFilters): Omit<ListBatchesOptions, 'limit' | 'before' | 'includeItems' | 'ownerId'> {
  return {
    ...(filters.q === undefined ? {} : { promptContains: filters.q }),
    ...(filters.statuses === undefined ? {} : { statuses: filters.statuses }),
    ...(filters.provider === undefined ? {} : { providerId: filters.provider }),
    ...(filters.model === undefined ? {} : { modelId: filters.model }),
    ...(filters.from === undefined ? {} : { createdFrom: filters.from }),
    ...(filters.to === undefined ? {} : { createdBefore: filters.to }),
    ...(filters.favorites ? { onlyWithFavorites: true } : {}),
  };
}

/** The filters as query parameters again (for `nextUrl`): times as exact instants. */
export function filterSearchParams(filters: BatchFilters): Record<string, string> {
  return {
    ...(filters.q === undefined ? {} : { q: filters.q }),
    ...(filters.statuses === undefined ? {} : { status: filters.statuses.join(',') }),
    ...(filters.provider === undefined ? {} : { provider: filters.provider }),
    ...(filters.model === undefined ? {} : { model: filters.model }),
    ...(filters.from === undefined ? {} : { from: filters.from.toISOString() }),
    ...(filters.to === undefined ? {} : { to: filters.to.toISOString() }),
    ...(filters.favorites ? { favorites: '1' } : {}),
  };
}
