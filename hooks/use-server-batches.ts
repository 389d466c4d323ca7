'use client';

import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { hasWebhookDueSoon } from '@/components/lib/webhook-status';
import type { BatchItemView, BatchView } from '@/lib/core/api-views';
import { deleteBatch, getBatch, listBatches, postBatchAction, type ApiResult } from '@/components/lib/batch-api';
import { eventsUrlAfter, followBatchEvents } from '@/components/lib/follow-batch-events';
import {
  displayRunOf,
  historyPageSize,
  isActiveStatus,
  resumeSequenceOf,
  serverBatchesReducer,
  toServerBatch,
  type HistoryPage,
  type ServerBatch,
} from '@/components/lib/server-batch-state';

export type { HistoryPage } from '@/components/lib/server-batch-state';

/**
 * Event streams open at once. Each holds one of the browser's six HTTP/1.1 connections to the
 * server, which the images need too; running batches beyond these are polled instead.
 */
const maxLiveStreams = 3;
const pollIntervalMs = 4000;

export type BatchAction = 'cancel' | 'retry' | 'delete';

function isShownRunning(batch: ServerBatch): boolean {
  return displayRunOf(batch).status === 'running';
}

/**
 * The batches the server keeps (every batch): the first page of history (loaded with the page),
 * batches started here, older pages on demand. Every batch that is running is followed live over
 * its event stream (or polled, past `maxLiveStreams`); cancel, retry and delete go to the API.
 */
export function useServerBatches(initialPage: HistoryPage, priorityBatchId: string | null, initialFilters: Record<string, string> = {}) {
  const [state, dispatch] = useReducer(serverBatchesReducer, initialPage, (page) => ({ batches: page.batches.map(toServerBatch) }));
  const [next, setNext] = useState<{ cursor?: string } | null>(
    initialPage.error ? {} : initialPage.nextCursor ? { cursor: initialPage.nextCursor } : null,
  );
  const [historyError, setHistoryError] = useState(initialPage.error);
  const [isLoadingMore, setIsLoadingMore] = useState(false);
  /** The search the list answers (`GET /api/batches` filters); older pages are asked with it too. */
  const filtersRef = useRef(initialFilters);
  const [isSearching, setIsSearching] = useState(false);
  const [pending, setPending] = useState<Record<string, BatchAction>>({});
  const [streamChanges, setStreamChanges] = useState(0);
  const streamsRef = useRef(new Map<string, () => void>());
  const lostRef = useRef(new Set<string>());
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  });

  useEffect(() => {
    const streams = streamsRef.current;
    return () => {
      for (const stop of streams.values()) stop();
      streams.clear();
    };
  }, []);

  // Follow what runs, the batch in the live area first.
  useEffect(() => {
    const streams = streamsRef.current;
    const candidates = state.batches
      .filter((batch) => isShownRunning(batch) && !streams.has(batch.view.id) && !lostRef.current.has(batch.view.id))
      .sort((left, right) => Number(right.view.id === priorityBatchId) - Number(left.view.id === priorityBatchId));
    for (const batch of candidates) {
      if (streams.size >= maxLiveStreams) break;
      const batchId = batch.view.id;
      const url = eventsUrlAfter(batch.view.eventsUrl, resumeSequenceOf(batch));
      dispatch({ type: 'follow', batchId });
      const forget = () => {
        streams.delete(batchId);
        setStreamChanges((count) => count + 1);
      };
      const stop = followBatchEvents(url, {
        onEvent: (event) => dispatch({ type: 'event', batchId, event, receivedAt: Date.now() }),
        onEnd: () => {
          forget();
          // The events carry no cost: the batch's final view has what it cost.
          void getBatch(batch.view).then((result) => {
            if (result.ok) dispatch({ type: 'snapshot', view: result.value });
          });
        },
        onLost: () => {
          forget();
          lostRef.current.add(batchId);
          dispatch({ type: 'stream-lost', batchId });
        },
        onInvalidEvent: (problem) => console.warn(`Skipped a progress event: ${problem}`),
        onItemProgress: (progress) => dispatch({ type: 'item-progress', progress }),
      });
      streams.set(batchId, stop);
    }
  }, [state.batches, priorityBatchId, streamChanges]);

  // Running batches without a stream are polled, and ended ones until their webhooks are sent.
  const hasRunning = state.batches.some((batch) => isShownRunning(batch) || hasWebhookDueSoon(batch.view.webhooks, Date.now()));
  useEffect(() => {
    if (!hasRunning) return;
    const timer = setInterval(() => {
      for (const batch of stateRef.current.batches) {
        const isWaitingForWebhook = !isShownRunning(batch) && hasWebhookDueSoon(batch.view.webhooks, Date.now());
        if (!isWaitingForWebhook && (!isShownRunning(batch) || streamsRef.current.has(batch.view.id))) continue;
        void getBatch(batch.view).then((result) => {
          if (result.ok) dispatch({ type: 'snapshot', view: result.value });
        });
      }
    }, pollIntervalMs);
    return () => clearInterval(timer);
  }, [hasRunning]);

  const add = useCallback((view: BatchView) => dispatch({ type: 'add', views: [view], position: 'start' }), []);

  const act = useCallback(async (batchId: string, action: 'cancel' | 'retry'): Promise<ApiResult<BatchView> | undefined> => {
    const batch = stateRef.current.batches.find((candidate) => candidate.view.id === batchId);
    if (!batch) return undefined;
    setPending((current) => ({ ...current, [batchId]: action }));
    try {
      const result = await postBatchAction(batch.view, action);
      if (result.ok) {
        const isRequeued = action === 'retry' && isActiveStatus(result.value.status);
        lostRef.current.delete(batchId);
        dispatch(isRequeued ? { type: 'retried', view: result.value, at: Date.now() } : { type: 'snapshot', view: result.value });
      }
      return result;
    } finally {
      setPending(({ [batchId]: _done, ...rest }) => rest);
    }
  }, []);

  /** A finished batch goes with its images; the server refuses (409) while it runs. */
  const remove = useCallback(async (batchId: string): Promise<ApiResult<null> | undefined> => {
    const batch = stateRef.current.batches.find((candidate) => candidate.view.id === batchId);
    if (!batch) return undefined;
    setPending((current) => ({ ...current, [batchId]: 'delete' }));
    try {
      const result = await deleteBatch(batch.view);
      if (result.ok) {
        streamsRef.current.get(batchId)?.();
        streamsRef.current.delete(batchId);
        dispatch({ type: 'remove', batchId });
      }
      return result;
    } finally {
      setPending(({ [batchId]: _done, ...rest }) => rest);
    }
  }, []);

  const loadMore = useCallback(async () => {
    if (!next || isLoadingMore) return;
    setIsLoadingMore(true);
    const filters = filtersRef.current;
    const result = await listBatches(historyPageSize, next.cursor, filters);
    setIsLoadingMore(false);
    // A new search came meanwhile: this page belongs to the old one.
    if (filters !== filtersRef.current) return;
    if (!result.ok) {
      setHistoryError(`The saved batches could not be loaded: ${result.message}`);
      return;
    }
    setHistoryError(undefined);
    dispatch({ type: 'add', views: result.value.batches, position: 'end' });
    setNext(result.value.nextCursor ? { cursor: result.value.nextCursor } : null);
  }, [next, isLoadingMore]);

  /**
   * Replaces the list with the first page of a search. The batch of the live area stays while it
   * runs, whatever the search: its images are arriving where the eye is. Resolves how many
   * batches were found, or why the search failed.
   */
  const search = useCallback(
    async (filters: Record<string, string>): Promise<ApiResult<number> | undefined> => {
      filtersRef.current = filters;
      setIsSearching(true);
      const result = await listBatches(historyPageSize, undefined, filters);
      if (filters !== filtersRef.current) return undefined;
      setIsSearching(false);
      if (!result.ok) {
        setHistoryError(`The search could not be run: ${result.message}`);
        return result;
      }
      setHistoryError(undefined);
      const live = stateRef.current.batches.find((batch) => batch.view.id === priorityBatchId);
      const keepIds = live && isShownRunning(live) ? [live.view.id] : [];
      const foundIds = new Set([...keepIds, ...result.value.batches.map((view) => view.id)]);
      for (const [batchId, stop] of streamsRef.current) {
        if (foundIds.has(batchId)) continue;
        stop();
        streamsRef.current.delete(batchId);
      }
      dispatch({ type: 'replace', views: result.value.batches, keepIds });
      setNext(result.value.nextCursor ? { cursor: result.value.nextCursor } : null);
      return { ok: true, value: result.value.batches.length };
    },
    [priorityBatchId],
  );

  /** One item as the API now describes it (after a favorite, a deleted image). */
  const changeItem = useCallback((batchId: string, item: BatchItemView) => dispatch({ type: 'item', batchId, item }), []);

  const cancel = useCallback((batchId: string) => act(batchId, 'cancel'), [act]);
  const retry = useCallback((batchId: string) => act(batchId, 'retry'), [act]);

  return {
    batches: state.batches,
    add,
    cancel,
    retry,
    remove,
    pending,
    search,
    isSearching,
    changeItem,
    history: { hasMore: next !== null, isLoadingMore, error: historyError, loadMore },
  };
}
