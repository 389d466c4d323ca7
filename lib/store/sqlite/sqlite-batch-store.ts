import { randomUUID } from 'node:crypto';
import type { BatchEvent, BatchEventInput, BatchRecord, BatchWithItems, ItemResult } from '../batch-records';
import type { BatchPage, BatchStore, CanceledItems, CreatedBatch, DeletedBatch, DeletedItemImage, ItemChange, RequeueableStatus, RequeuedItems } from '../batch-store';
import { pageFilters } from '../page-filters';
import { deriveBatchStatus, isFinishedBatchStatus, type ItemStatusCounts } from '@/lib/core';
import { inputImagesOf } from '../batch-records';
import { StoreError } from '../store-error';
import { migrate } from './migrate';
import { batchStoreMigrations } from './migrations';
import { openDatabase } from './open-database';
import { toBatchEvent, toBatchRecord, toItemRecord, type BatchRow, type ItemRow } from './rows';
import { prepareStatements, type Statements } from './statements';
import { createSqliteWebhookDeliveries, type SqliteWebhookDeliveries } from './sqlite-webhook-deliveries';
import { inReadTransaction, inWriteTransaction } from './transaction';

export interface SqliteBatchStoreOptions {
  /** The database file, created with its schema when missing; its directory must exist. `:memory:` for a throwaway store. */
  filePath: string;
  /**
   * How long a write waits for another connection's lock before failing.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * The clock for timestamps; injectable for tests.
   * @default () => new Date()
   */
  now?: () => Date;
  /**
   * Makes batch ids.
   * @default crypto.randomUUID
   */
  createId?: () => string;
}

const maximumPageLimit = 100;
const maximumEventLimit = 10_000;
const requeueableStatuses: ReadonlySet<string> = new Set<RequeueableStatus>(['failed', 'canceled']);

/**
 * The batch store on an embedded SQLite file (`node:sqlite`): migrates the schema on open, then
 * serves every method from prepared statements, each write in one `BEGIN IMMEDIATE` transaction.
 * The work is synchronous underneath; the methods are async to honour the interface.
 */
export function createSqliteBatchStore(options: SqliteBatchStoreOptions): BatchStore {
  const now = options.now ?? (() => new Date());
  const createId = options.createId ?? randomUUID;
  const database = openDatabase(options.filePath, { busyTimeoutMs: options.busyTimeoutMs });
  let query: Statements;
  let webhookDeliveries: SqliteWebhookDeliveries;
  try {
    migrate(database, batchStoreMigrations, now);
    query = prepareStatements(database);
    webhookDeliveries = createSqliteWebhookDeliveries(database, now);
  } catch (error) {
    database.close();
    throw error;
  }

  const timestamp = () => now().toISOString();

  function findBatchRow(batchId: string): BatchRow | undefined {
    return query.selectBatch.get({ batchId }) as BatchRow | undefined;
  }

  function requireBatchRow(batchId: string): BatchRow {
    const row = findBatchRow(batchId);
    if (!row) throw new StoreError('not_found', `No batch with id "${batchId}"`);
    return row;
  }

  function readBatchWithItems(batchId: string): BatchWithItems | undefined {
    const row = findBatchRow(batchId);
    if (!row) return undefined;
    const items = (query.selectItems.all({ batchId }) as unknown as ItemRow[]).map(toItemRecord);
    return { ...toBatchRecord(row), items };
  }

  /** Recomputes the counters and status from the items; call inside every write that changes items. */
  function refreshBatch(batchId: string): BatchRecord {
    const counts = query.countItems.get({ batchId }) as unknown as ItemStatusCounts & { cost_usd: number };
    query.updateBatchCounters.run({
      batchId,
      status: deriveBatchStatus(counts),
      succeeded: counts.succeeded,
      failed: counts.failed,
      canceled: counts.canceled,
      costUsd: counts.cost_usd,
      now: timestamp(),
    });
    return toBatchRecord(requireBatchRow(batchId));
  }

  function appendEventInTransaction(batchId: string, event: BatchEventInput): BatchEvent {
    const counters = query.nextEventSequence.get({ batchId }) as
      | { sequence: number; total: number; succeeded: number; failed: number }
      | undefined;
    if (!counters) throw new StoreError('not_found', `No batch with id "${batchId}"`);
    const { data: _data, result: _result, ...rest } = event as BatchEventInput & { data?: unknown; result?: unknown };
    const logged = {
      ...rest,
      batchId,
      sequence: counters.sequence,
      total: counters.total,
      completed: counters.succeeded,
      failed: counters.failed,
    } as BatchEvent;
    query.insertEvent.run({ batchId, sequence: logged.sequence, type: logged.type, payload: JSON.stringify(logged), now: timestamp() });
    // An item-start announces a provider call: if the process dies before the attempt is recorded,
    // recovery still counts that call in the item's attempts.
    if (logged.type === 'item-start') query.markCallInFlight.run({ batchId, index: logged.index });
    return logged;
  }

  /** Ends an item write: the accompanying event (stamped with the refreshed counters) and the new state. */
  function itemChange(batchId: string, index: number, batch: BatchRecord, event?: BatchEventInput): ItemChange {
    const item = toItemRecord(query.selectItem.get({ batchId, index }) as unknown as ItemRow);
    return event ? { batch, item, event: appendEventInTransaction(batchId, event) } : { batch, item };
  }

  /**
   * The one `batch-end`, logged by the change that ended the batch, in its transaction: a write
   * transaction holds the database's write lock, so no two changes can both see themselves end it.
   */
  function batchEndIfEnded(before: BatchRecord['status'], after: BatchRecord): BatchEvent | undefined {
    if (isFinishedBatchStatus(before) || !isFinishedBatchStatus(after.status)) return undefined;
    const batchEnd = appendEventInTransaction(after.id, { type: 'batch-end', status: after.status, etaMs: 0 });
    webhookDeliveries.createForBatchEnd(after, batchEnd.sequence);
    return batchEnd;
  }

  return {
    claimDueWebhookDeliveries: (claim) => webhookDeliveries.claimDueWebhookDeliveries(claim),
    recordWebhookAttempt: (attempt) => webhookDeliveries.recordWebhookAttempt(attempt),
    listWebhookDeliveries: (batchId) => webhookDeliveries.listWebhookDeliveries(batchId),
    releaseWebhookLeases: () => webhookDeliveries.releaseWebhookLeases(),
    async createBatch(batch, firstEvent) {
      if (batch.items.length === 0) throw new RangeError('A batch needs at least one item');
      const batchId = createId();
      return inWriteTransaction(database, (): CreatedBatch => {
        query.insertBatch.run({
          id: batchId,
          now: timestamp(),
          prompt: batch.prompt,
          mode: batch.mode,
          providerId: batch.providerId,
          modelId: batch.modelId,
          isDemo: batch.isDemo ? 1 : 0,
          params: JSON.stringify(batch.params),
          total: batch.items.length,
          ownerId: batch.ownerId ?? null,
          tokenId: batch.tokenId ?? null,
        });
        batch.items.forEach((item, position) => query.insertItem.run({ batchId, index: position + 1, prompt: item.prompt }));
        const logged = firstEvent ? appendEventInTransaction(batchId, firstEvent) : undefined;
        return { ...readBatchWithItems(batchId)!, ...(logged ? { firstEvent: logged } : {}) };
      });
    },

    async getBatch(batchId) {
      return inReadTransaction(database, () => readBatchWithItems(batchId));
    },

    async listBatches(options = {}) {
      const { limit = 20, before, includeItems = false } = options;
      assertLimit(limit, maximumPageLimit);
      const filters = pageFilters(options);
      return inReadTransaction(database, (): BatchPage => {
        let beforePosition = Number.MAX_SAFE_INTEGER;
        if (before !== undefined) {
          const cursorRow = findBatchRow(before);
          if (!cursorRow) throw new StoreError('invalid_id', `The cursor "${before}" names no batch`);
          beforePosition = cursorRow.position;
        }
        const rows = query.selectPage.all({
          beforePosition,
          limit: limit + 1,
          ...filters,
          statuses: filters.statuses === null ? null : JSON.stringify(filters.statuses),
          onlyWithFavorites: filters.onlyWithFavorites ? 1 : 0,
        }) as unknown as BatchRow[];
        const pageRows = rows.slice(0, limit);
        const nextCursor = rows.length > limit ? pageRows.at(-1)?.id : undefined;
        const batches = includeItems ? withItems(pageRows) : pageRows.map(toBatchRecord);
        return nextCursor === undefined ? { batches } : { batches, nextCursor };
      });
    },

    async listRunnableItems({ providerId, modelId, limit = 10 } = {}) {
      assertLimit(limit, maximumPageLimit);
      const nowMs = now().getTime();
      return inReadTransaction(database, () => {
        const rows = query.selectRunnable.all({ providerId: providerId ?? null, modelId: modelId ?? null, limit, nowMs }) as unknown as {
          batch_id: string;
          item_index: number;
        }[];
        return rows.map((row) => ({
          batch: toBatchRecord(requireBatchRow(row.batch_id)),
          item: toItemRecord(query.selectItem.get({ batchId: row.batch_id, index: row.item_index }) as unknown as ItemRow),
        }));
      });
    },

    async nextRetryAtMs() {
      const nowMs = now().getTime();
      return inReadTransaction(database, () => {
        const row = query.nextNotBefore.get({ nowMs }) as { not_before_ms: number | null } | undefined;
        return row?.not_before_ms ?? undefined;
      });
    },

    async startItem({ batchId, index, event, lease }) {
      const nowMs = now().getTime();
      return inWriteTransaction(database, () => {
        const claimed =
          query.claimItem.run({
            batchId,
            index,
            now: timestamp(),
            nowMs,
            leaseOwner: lease?.owner ?? null,
            leaseExpiresMs: lease?.expiresAtMs ?? null,
          }).changes === 1;
        if (!claimed) {
          requireItem(batchId, index);
          return undefined;
        }
        query.markBatchServed.run({ batchId });
        return itemChange(batchId, index, refreshBatch(batchId), event);
      });
    },

    async renewLease({ batchId, index, owner, expiresAtMs }) {
      return inWriteTransaction(database, () => query.renewLease.run({ batchId, index, leaseOwner: owner, leaseExpiresMs: expiresAtMs }).changes === 1);
    },

    async retryItemLater({ batchId, index, attemptsInRun, notBeforeMs, event }) {
      assertAttempts(attemptsInRun);
      return inWriteTransaction(database, () => {
        const changes = query.retryItemLater.run({ batchId, index, attemptsInRun, notBeforeMs }).changes;
        if (changes !== 1) throw notRunning(batchId, index);
        return itemChange(batchId, index, refreshBatch(batchId), event);
      });
    },

    async finishItem({ batchId, index, result, attemptsInRun, event }) {
      assertAttempts(attemptsInRun);
      return inWriteTransaction(database, () => {
        const before = requireBatchRow(batchId).status;
        const changes = query.finishItem.run({ batchId, index, attemptsInRun, now: timestamp(), ...resultColumns(result) }).changes;
        if (changes !== 1) throw notRunning(batchId, index);
        const change = itemChange(batchId, index, refreshBatch(batchId), event);
        const batchEnd = batchEndIfEnded(before, change.batch);
        return batchEnd ? { ...change, batch: toBatchRecord(requireBatchRow(batchId)), batchEnd } : change;
      });
    },

    async cancelQueuedItems(batchId): Promise<CanceledItems> {
      return inWriteTransaction(database, () => {
        const before = requireBatchRow(batchId).status;
        const indexes = (query.selectQueuedIndexes.all({ batchId }) as unknown as { item_index: number }[]).map((row) => row.item_index);
        const count = Number(query.cancelQueuedItems.run({ batchId, now: timestamp() }).changes);
        if (count === 0) return { count, events: [] };
        const batch = refreshBatch(batchId);
        const events = indexes.map((index) =>
          appendEventInTransaction(batchId, { type: 'item-end', index, status: 'canceled', error: 'Canceled', etaMs: null }),
        );
        const batchEnd = batchEndIfEnded(before, batch);
        return { count, events: batchEnd ? [...events, batchEnd] : events };
      });
    },

    async deleteBatch(batchId): Promise<DeletedBatch> {
      return inWriteTransaction(database, () => {
        const row = requireBatchRow(batchId);
        if (!isFinishedBatchStatus(row.status)) {
          throw new StoreError('conflict', `Batch "${batchId}" is still ${row.status}: cancel it before deleting it`);
        }
        const imageIds = (query.selectBatchImageIds.all({ batchId }) as unknown as { image_id: string }[]).map((image) => image.image_id);
        const inputImageIds = inputImagesOf(toBatchRecord(row).params).map((image) => image.imageId);
        query.deleteBatch.run({ batchId });
        return { imageIds: [...imageIds, ...inputImageIds] };
      });
    },

    async setItemFavorite({ batchId, index, isFavorite }) {
      return inWriteTransaction(database, () => {
        const changes = Number(query.setItemFavorite.run({ batchId, index, favorite: isFavorite ? 1 : 0 }).changes);
        const item = requireItem(batchId, index);
        if (changes !== 1) throw new StoreError('conflict', `Item ${index} of batch "${batchId}" has no image to mark as a favorite`);
        return toItemRecord(item);
      });
    },

    async deleteItemImage(batchId, index) {
      return inWriteTransaction(database, (): DeletedItemImage => {
        const batch = requireBatchRow(batchId);
        const before = requireItem(batchId, index);
        if (!isFinishedBatchStatus(batch.status)) {
          throw new StoreError('conflict', `Batch "${batchId}" is still ${batch.status}: wait for it to end before deleting one of its images`);
        }
        if (before.image_id === null) {
          if (before.image_deleted_at !== null) return { item: toItemRecord(before), imageIds: [] };
          throw new StoreError('conflict', `Item ${index} of batch "${batchId}" is ${before.status}: it has no image to delete`);
        }
        query.deleteItemImage.run({ batchId, index, now: timestamp() });
        return { item: toItemRecord(requireItem(batchId, index)), imageIds: [before.image_id] };
      });
    },

    async findImageItems(imageIds) {
      if (imageIds.length === 0) return [];
      return inReadTransaction(database, () => {
        const rows = query.selectImageItems.all({ imageIds: JSON.stringify(imageIds) }) as unknown as ItemRow[];
        const batches = new Map<string, BatchRecord>();
        return rows.map((row) => {
          let batch = batches.get(row.batch_id);
          if (!batch) batches.set(row.batch_id, (batch = toBatchRecord(requireBatchRow(row.batch_id))));
          return { batch, item: toItemRecord(row) };
        });
      });
    },

    async usage({ ownerId } = {}) {
      return inReadTransaction(database, () => {
        const row = query.selectUsage.get({ ownerId: ownerId ?? null }) as { batch_count: number; image_count: number; image_bytes: number };
        return { batchCount: row.batch_count, imageCount: row.image_count, imageBytes: row.image_bytes };
      });
    },

    async activity({ ownerId, tokenId }, since) {
      return inReadTransaction(database, () => {
        const row = query.selectActivity.get({ ownerId: ownerId ?? null, tokenId: tokenId ?? null, since: since.toISOString() }) as {
          images_since: number;
          spent_usd_since: number;
          unfinished_batches: number;
          pending_estimate_usd: number;
        };
        return {
          imagesSince: row.images_since,
          spentUsdSince: row.spent_usd_since,
          unfinishedBatches: row.unfinished_batches,
          pendingEstimateUsd: row.pending_estimate_usd,
        };
      });
    },

    async findImageOwner(imageId) {
      return inReadTransaction(database, () => {
        const row = (query.selectMadeImageOwner.get({ imageId }) ?? query.selectInputImageOwner.get({ imageId })) as
          | { owner_id: string | null }
          | undefined;
        return row ? { ownerId: row.owner_id } : undefined;
      });
    },

    async listFinishedBatchIdsBefore(before, limit = 100) {
      assertLimit(limit, maximumPageLimit);
      return inReadTransaction(database, () =>
        (query.selectFinishedBefore.all({ before: before.toISOString(), limit }) as unknown as { id: string }[]).map((row) => row.id),
      );
    },

    async requeueItems(batchId, statuses = ['failed', 'canceled'], runStart) {
      for (const status of statuses) {
        if (!requeueableStatuses.has(status)) throw new RangeError(`Only failed and canceled items can be requeued, not ${status}`);
      }
      return inWriteTransaction(database, (): RequeuedItems => {
        const batch = requireBatchRow(batchId);
        if (batch.status === 'queued' || batch.status === 'running') {
          throw new StoreError('conflict', `Batch "${batchId}" is still ${batch.status}: wait for it to end or cancel it first`);
        }
        if (statuses.length === 0) return { count: 0 };
        const count = Number(
          query.requeueItems.run({ batchId, firstStatus: statuses[0], secondStatus: statuses.at(-1) ?? null }).changes,
        );
        if (count === 0) return { count };
        refreshBatch(batchId);
        return runStart ? { count, runStart: appendEventInTransaction(batchId, runStart) } : { count };
      });
    },

    async requeueInterruptedItems(options = {}) {
      const nowMs = options.onlyExpiredLeases ? now().getTime() : null;
      return inWriteTransaction(database, () => {
        const batchIds = (query.selectInterruptedBatchIds.all({ nowMs }) as unknown as { batch_id: string }[]).map((row) => row.batch_id);
        const count = Number(query.requeueInterruptedItems.run({ nowMs }).changes);
        batchIds.forEach(refreshBatch);
        return count;
      });
    },

    async appendEvent(batchId, event) {
      return inWriteTransaction(database, () => appendEventInTransaction(batchId, event));
    },

    async listEvents(batchId, { afterSequence = 0, limit = 1_000 } = {}) {
      assertLimit(limit, maximumEventLimit);
      if (!Number.isInteger(afterSequence) || afterSequence < 0) throw new RangeError('afterSequence must be a whole number ≥ 0');
      return inReadTransaction(database, () => {
        requireBatchRow(batchId);
        return (query.selectEvents.all({ batchId, afterSequence, limit }) as unknown as { payload: string }[]).map(toBatchEvent);
      });
    },

    async close() {
      if (database.isOpen) database.close();
    },
  };

  function notRunning(batchId: string, index: number): StoreError {
    const item = requireItem(batchId, index);
    return new StoreError('conflict', `Item ${index} of batch "${batchId}" is ${item.status}, not running`);
  }

  function requireItem(batchId: string, index: number): ItemRow {
    const item = query.selectItem.get({ batchId, index }) as ItemRow | undefined;
    if (item) return item;
    requireBatchRow(batchId);
    throw new StoreError('not_found', `Batch "${batchId}" has no item ${index}`);
  }

  /** One query loads the items of every batch on the page. */
  function withItems(rows: BatchRow[]): BatchWithItems[] {
    if (rows.length === 0) return [];
    const itemRows = query.selectItemsOfBatches.all({ batchIds: JSON.stringify(rows.map((row) => row.id)) }) as unknown as ItemRow[];
    const itemsByBatch = Map.groupBy(itemRows.map(toItemRecord), (item) => item.batchId);
    return rows.map((row) => ({ ...toBatchRecord(row), items: itemsByBatch.get(row.id) ?? [] }));
  }
}

function resultColumns(result: ItemResult) {
  return {
    status: result.status,
    errorKind: result.status === 'failed' ? result.error.kind : null,
    errorMessage: result.status === 'failed' ? result.error.message : null,
    errorDetails: result.status === 'failed' ? (result.error.details ?? null) : null,
    errorRetryAfterMs: result.status === 'failed' ? (result.error.retryAfterMs ?? null) : null,
    errorRetryStop: result.status === 'failed' ? (result.error.retryStop ?? null) : null,
    imageId: result.status === 'succeeded' ? result.image.imageId : null,
    mimeType: result.status === 'succeeded' ? result.image.mimeType : null,
    byteLength: result.status === 'succeeded' ? result.image.byteLength : null,
    usage: result.status === 'succeeded' && result.usage ? JSON.stringify(result.usage) : null,
    costUsd: result.status === 'succeeded' ? (result.costUsd ?? null) : null,
    seed: result.status === 'succeeded' ? (result.seed ?? null) : null,
  };
}

function assertAttempts(attemptsInRun: number): void {
  if (!Number.isInteger(attemptsInRun) || attemptsInRun < 0) throw new RangeError('attemptsInRun must be a whole number ≥ 0');
}

function assertLimit(limit: number, maximum: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > maximum) throw new RangeError(`limit must be a whole number from 1 to ${maximum}`);
}
