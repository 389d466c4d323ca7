import { describe, expect, it } from 'vitest';
import { emptyGalleryQuery, galleryQueryFrom, isEmptyGalleryQuery, toApiSearch, toPageSearch } from './gallery-query';

describe('gallery query', () => {
  it('reads the page URL, leaving out what it does not understand', () => {
    expect(galleryQueryFrom(new URLSearchParams('q=+red+fox+&status=failed&provider=demo&model=demo-shapes-v1&from=2026-05-01&to=2026-05-03&favorites=1'))).toEqual({
      q: 'red fox',
      status: 'failed',
      provider: 'demo',
      model: 'demo-shapes-v1',
      from: '2026-05-01',
      to: '2026-05-03',
      favorites: true,
    });
    expect(galleryQueryFrom({ status: 'done', from: 'yesterday', favorites: 'yes', q: ['a', 'b'] })).toEqual({ ...emptyGalleryQuery, q: 'a' });
    expect(galleryQueryFrom(new URLSearchParams(''))).toEqual(emptyGalleryQuery);
  });

  it('writes the page URL back in a stable order, and nothing for an empty search', () => {
    const query = { ...emptyGalleryQuery, favorites: true, q: ' cat ', status: 'partial' as const };
    expect(toPageSearch(query)).toBe('q=cat&status=partial&favorites=1');
    expect(galleryQueryFrom(new URLSearchParams(toPageSearch(query)))).toEqual({ ...query, q: 'cat' });
    expect(isEmptyGalleryQuery(emptyGalleryQuery)).toBe(true);
    expect(isEmptyGalleryQuery({ ...emptyGalleryQuery, q: '   ' })).toBe(true);
  });

  it('asks the API for local days as instants, to inclusive, and "running" as both unfinished statuses', () => {
    const api = toApiSearch({ ...emptyGalleryQuery, status: 'running', from: '2026-05-01', to: '2026-05-01' });
    expect(api.status).toBe('queued,running');
    expect(api.from).toBe(new Date(2026, 4, 1).toISOString());
    expect(api.to).toBe(new Date(2026, 4, 2).toISOString());
    expect(toApiSearch(emptyGalleryQuery)).toEqual({});
  });
});
