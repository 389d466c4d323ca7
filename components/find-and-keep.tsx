'use client';

import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { BatchItemView, BatchView } from '@/lib/core/api-views';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import type { ApiResult } from '@/components/lib/api-request';
import { deleteImage as requestDeleteImage, fetchImagesZip, saveBlob, setFavorite } from '@/components/lib/find-api';
import { isEmptyGalleryQuery, toApiSearch, toPageSearch, type GalleryQuery } from '@/components/lib/gallery-query';
import { displayRunOf, type ServerBatch } from '@/components/lib/server-batch-state';
import { FindAndKeepContext, type ChosenImage, type FindAndKeepActions } from './find-and-keep-context';
import { GallerySearch } from './gallery-search';
import { notifyError, notifyInfo } from './notify';
import { SelectionBar } from './selection-bar';
import styles from './find-and-keep.module.css';

export interface FindAndKeepProps {
  catalog: ProvidersCatalog;
  /** The search the page was loaded with (its URL). */
  initialQuery: GalleryQuery;
  /** The batches on the page, newest first. */
  batches: ServerBatch[];
  /** More batches match than are shown. */
  hasMore: boolean;
  search: (filters: Record<string, string>) => Promise<ApiResult<number> | undefined>;
  isSearching: boolean;
  changeItem: (batchId: string, item: BatchItemView) => void;
  /** After images were deleted: the storage line counts again. */
  onImagesDeleted: () => void;
  /** The gallery. */
  children: ReactNode;
}

const keyOf = (batchId: string, index: number) => `${batchId}#${index}`;

/**
 * "Find and keep" around the gallery: the search (kept in the page's URL, so a reload keeps it),
 * select mode with a ZIP of the chosen images, and favorites and deleting for each image (offered
 * by the tiles and the lightbox through `FindAndKeepContext`).
 */
export function FindAndKeep({ catalog, initialQuery, batches, hasMore, search, isSearching, changeItem, onImagesDeleted, children }: FindAndKeepProps) {
  const [query, setQuery] = useState(initialQuery);
  const [resultCount, setResultCount] = useState<number | null>(null);
  const [isSelecting, setIsSelecting] = useState(false);
  const [selected, setSelected] = useState<ReadonlyMap<string, ChosenImage>>(new Map());
  const [pendingFavorites, setPendingFavorites] = useState<ReadonlySet<string>>(new Set());
  const [pendingDeletes, setPendingDeletes] = useState<ReadonlySet<string>>(new Set());
  const batchesRef = useRef(batches);
  useEffect(() => {
    batchesRef.current = batches;
  });

  const runSearch = useCallback(
    async (next: GalleryQuery) => {
      const result = await search(toApiSearch(next));
      if (!result) return;
      if (!result.ok) notifyError('The search could not be run', result.message);
      setResultCount(result.ok ? result.value : null);
    },
    [search],
  );

  // Days in the URL are this browser's days: the page's first list (the server's, in UTC days) is asked again, once.
  const initialSearchRef = useRef(initialQuery.from || initialQuery.to ? initialQuery : null);
  useEffect(() => {
    const initial = initialSearchRef.current;
    initialSearchRef.current = null;
    if (initial) void runSearch(initial);
  }, [runSearch]);

  const changeQuery = useCallback(
    (next: GalleryQuery) => {
      setQuery(next);
      const search = toPageSearch(next);
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${search ? `?${search}` : ''}${window.location.hash}`);
      if (isEmptyGalleryQuery(next)) setResultCount(null);
      void runSearch(next);
    },
    [runSearch],
  );

  const viewOf = (batchId: string): BatchView | undefined => batchesRef.current.find((batch) => batch.view.id === batchId)?.view;

  const toggleFavorite = useCallback(
    async (batchId: string, index: number, isFavorite: boolean) => {
      const view = viewOf(batchId);
      if (!view) return;
      const key = keyOf(batchId, index);
      setPendingFavorites((current) => new Set(current).add(key));
      const result = await setFavorite(view.url, index, isFavorite);
      setPendingFavorites((current) => {
        const next = new Set(current);
        next.delete(key);
        return next;
      });
      if (result.ok) changeItem(batchId, result.value);
      else notifyError(isFavorite ? 'Could not keep the image as a favorite' : 'Could not remove the favorite', result.message);
    },
    [changeItem],
  );

  /** Deletes one image; resolves whether it went (a failure is said in a toast). */
  const deleteOne = useCallback(
    async (batchId: string, index: number): Promise<boolean> => {
      const view = viewOf(batchId);
      if (!view) return false;
      const key = keyOf(batchId, index);
      setPendingDeletes((current) => new Set(current).add(key));
      const result = await requestDeleteImage(view.url, index);
      setPendingDeletes((current) => {
        const next = new Set(current);
        next.delete(key);
        return next;
      });
      if (!result.ok) {
        notifyError(`Could not delete image ${index}`, result.message);
        return false;
      }
      const item = result.value.items?.find((candidate) => candidate.index === index);
      if (item) changeItem(batchId, item);
      setSelected((current) => new Map([...current].filter(([, image]) => image.batchId !== batchId || image.index !== index)));
      return true;
    },
    [changeItem],
  );

  const actions: FindAndKeepActions = useMemo(
    () => ({
      isSelecting,
      isSelected: (imageId) => selected.has(imageId),
      toggleSelected: (image) =>
        setSelected((current) => {
          const next = new Map(current);
          if (next.has(image.imageId)) next.delete(image.imageId);
          else next.set(image.imageId, image);
          return next;
        }),
      toggleFavorite: (batchId, index, isFavorite) => void toggleFavorite(batchId, index, isFavorite),
      isFavoritePending: (batchId, index) => pendingFavorites.has(keyOf(batchId, index)),
      deleteImage: async (batchId, index) => {
        const isDeleted = await deleteOne(batchId, index);
        if (isDeleted) {
          notifyInfo(`Image ${index} deleted.`);
          onImagesDeleted();
        }
        return isDeleted;
      },
      isDeletePending: (batchId, index) => pendingDeletes.has(keyOf(batchId, index)),
    }),
    [isSelecting, selected, toggleFavorite, pendingFavorites, deleteOne, pendingDeletes, onImagesDeleted],
  );

  /** Every made image on the page, in gallery order (what "Select all shown" takes). */
  const shownImages = useMemo(
    () =>
      batches.flatMap((batch) =>
        displayRunOf(batch).slots.flatMap((slot): ChosenImage[] =>
          slot.status === 'succeeded' && slot.image?.imageId && (!query.favorites || slot.isFavorite) ? [{ imageId: slot.image.imageId, batchId: batch.view.id, index: slot.index }] : [],
        ),
      ),
    [batches, query.favorites],
  );

  const downloadZip = async () => {
    const imageIds = [...selected.keys()];
    const result = await fetchImagesZip(imageIds);
    if (!result.ok) {
      notifyError('Could not make the ZIP', result.message);
      return;
    }
    saveBlob(result.value.blob, result.value.fileName);
    notifyInfo(`Downloading ${imageIds.length === 1 ? 'one image' : `${imageIds.length} images`} as ${result.value.fileName}.`);
  };

  const deleteSelected = async () => {
    const chosen = [...selected.values()];
    let deleted = 0;
    for (const image of chosen) if (await deleteOne(image.batchId, image.index)) deleted += 1;
    if (deleted > 0) {
      notifyInfo(deleted === 1 ? 'One image deleted.' : `${deleted} images deleted.`);
      onImagesDeleted();
    }
  };

  const isSearchActive = !isEmptyGalleryQuery(query);
  return (
    <FindAndKeepContext.Provider value={actions}>
      <section className={styles.toolbar} aria-label="Find and keep">
        <GallerySearch query={query} onChange={changeQuery} catalog={catalog} />
        <div className={styles.toolbarRow}>
          <p className={styles.searchStatus} role="status" data-testid="search-status">
            {isSearching ? 'Searching…' : isSearchActive && resultCount !== null ? describeFound(resultCount, hasMore) : ''}
          </p>
          <SelectionBar
            isSelecting={isSelecting}
            onSelectingChange={(isOn) => {
              setIsSelecting(isOn);
              if (!isOn) setSelected(new Map());
            }}
            count={selected.size}
            onSelectAll={() => setSelected(new Map(shownImages.map((image) => [image.imageId, image])))}
            onClear={() => setSelected(new Map())}
            onDownload={downloadZip}
            onDelete={deleteSelected}
          />
        </div>
      </section>
      <div className={query.favorites ? styles.favoritesOnly : styles.all} data-testid="gallery-region">
        {children}
      </div>
    </FindAndKeepContext.Provider>
  );
}

function describeFound(count: number, hasMore: boolean): string {
  if (count === 0) return 'No batch matches this search.';
  return `${count}${hasMore ? '+' : ''} matching batch${count === 1 && !hasMore ? '' : 'es'}.`;
}
