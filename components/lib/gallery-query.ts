/**
 * The gallery's search as the page keeps it in its URL (`/?q=fox&status=failed&favorites=1`), and
 * as `GET /api/batches` takes it. Pure: no window, no fetch.
 */

/** The status menu: `running` stands for queued and running batches. */
export const statusChoices = ['', 'running', 'completed', 'partial', 'failed', 'canceled'] as const;
export type StatusChoice = (typeof statusChoices)[number];

export interface GalleryQuery {
  /** Prompt text; blank searches nothing. */
  q: string;
  status: StatusChoice;
  /** Provider and model ids; blank for any. */
  provider: string;
  model: string;
  /** Local days, `YYYY-MM-DD`; blank for no bound. Both days are included. */
  from: string;
  to: string;
  favorites: boolean;
}

export const emptyGalleryQuery: GalleryQuery = { q: '', status: '', provider: '', model: '', from: '', to: '', favorites: false };

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const maxTextLength = 200;

type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

function readParameter(parameters: SearchParamsLike, name: string): string {
  const value = parameters instanceof URLSearchParams ? parameters.get(name) : parameters[name];
  const text = Array.isArray(value) ? value[0] : value;
  return (text ?? '').trim().slice(0, maxTextLength);
}

/** The search in a page URL's query; anything not understood is left out rather than refused. */
export function galleryQueryFrom(parameters: SearchParamsLike): GalleryQuery {
  const status = readParameter(parameters, 'status');
  const day = (name: string) => {
    const value = readParameter(parameters, name);
    return dayPattern.test(value) ? value : '';
  };
  return {
    q: readParameter(parameters, 'q'),
    status: (statusChoices as readonly string[]).includes(status) ? (status as StatusChoice) : '',
    provider: readParameter(parameters, 'provider'),
    model: readParameter(parameters, 'model'),
    from: day('from'),
    to: day('to'),
    favorites: readParameter(parameters, 'favorites') === '1',
  };
}

export function isEmptyGalleryQuery(query: GalleryQuery): boolean {
  return toPageSearch(query) === '';
}

/** The page URL's query string for this search (`''` when it searches nothing), in a stable order. */
export function toPageSearch(query: GalleryQuery): string {
  const parameters = new URLSearchParams();
  if (query.q.trim()) parameters.set('q', query.q.trim());
  if (query.status) parameters.set('status', query.status);
  if (query.provider) parameters.set('provider', query.provider);
  if (query.model) parameters.set('model', query.model);
  if (query.from) parameters.set('from', query.from);
  if (query.to) parameters.set('to', query.to);
  if (query.favorites) parameters.set('favorites', '1');
  return parameters.toString();
}

/** The local midnight that starts `day` (`YYYY-MM-DD`), shifted by `offsetDays`, as an instant. */
function localMidnight(day: string, offsetDays = 0): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year!, month! - 1, date! + offsetDays).toISOString();
}

/**
 * The filters as `GET /api/batches` takes them: days become the instants that start and end them
 * in this browser's time zone (the server knows only UTC), the status menu's `running` both
 * unfinished statuses.
 */
export function toApiSearch(query: GalleryQuery): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (query.q.trim()) parameters.q = query.q.trim();
  if (query.status) parameters.status = query.status === 'running' ? 'queued,running' : query.status;
  if (query.provider) parameters.provider = query.provider;
  if (query.model) parameters.model = query.model;
  if (query.from) parameters.from = localMidnight(query.from);
  if (query.to) parameters.to = localMidnight(query.to, 1);
  if (query.favorites) parameters.favorites = '1';
  return parameters;
}
