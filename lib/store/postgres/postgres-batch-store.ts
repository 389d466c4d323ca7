import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { deriveBatchStatus, isFinishedBatchStatus, type ItemStatusCounts } from '@/lib/core';
import type { BatchEvent, BatchEventInput, BatchRecord, BatchWithItems, ItemRecord, ItemResult } from '../batch-records';
import { inputImagesOf } from '../batch-records';
import type { BatchPage, BatchStore, CanceledItems, CreatedBatch, DeletedBatch, DeletedItemImage, ItemChange, RequeueableStatus, RequeuedItems } from '../batch-store';
import { pageFilters } from '../page-filters';
import { StoreError } from '../store-error';
import { createPool, inReadTransaction, inWriteTransaction, poolCloser, run, type PostgresConnectionOptions, type Queryable } from './database';
import { migrate } from './migrate';
import { postgresMigrations } from './migrations';
import { toBatchEvent, toBatchRecord, toItemRecord, type BatchRow, type ItemRow } from './rows';
import { batchQueries as query } from './statements';
import { createPostgresWebhookDeliveries } from './postgres-webhook-deliveries';

export interface PostgresBatchStoreOptions {
  /**
   * The database: a connection string (the store opens a pool and ends it on `close`), or a pool the
   * caller owns (shared with the account store; `close` leaves it open).
   */
  connection: PostgresConnectionOptions | { pool: Pool };
  /**
   * Bring the schema to this code's version on open. Off when the caller has migrated already.
   * @default true
   */
  migrate?: boolean;
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
 * The batch store on PostgreSQL through a `pg` pool: migrates the schema on open, then runs every
 * write in one transaction that first locks the batch's row, so concurrent writers (several workers,
 * several web processes) keep the guarantees SQLite's single writer gives: counters recomputed from the
 * items they see, one `batch-end` per batch, gapless event sequences, one claim per item.
 */
export async function createPostgresBatchStore(options: PostgresBatchStoreOptions): Promise<BatchStore> {
  const now = options.now ?? (() => new Date());
  const createId = options.createId ?? randomUUID;
  const ownsPool = !('pool' in options.connection);
  const pool = 'pool' in options.connection ? options.connection.pool : createPool(options.connection);
  const endPool = ownsPool ? poolCloser(pool) : async () => {};
  if (options.migrate !== false) {
    try {
      await migrate(pool, postgresMigrations, now);
    } catch (error) {
      await endPool();
      throw error;
    }
  }
  let isClosed = false;
  const webhookDeliveries = createPostgresWebhookDeliveries(pool, now);

  const timestamp = () => now().toISOString();

  async function findBatchRow(connection: Queryable, batchId: string): Promise<BatchRow | undefined> {
    return (await run<BatchRow>(connection, query.selectBatch, { batchId })).rows[0];
  }

  /** Locks the batch's row for the rest of the transaction (see `lockBatch`); not_found when there is none. */
  async function lockBatch(client: PoolClient, batchId: string): Promise<BatchRow> {
    const row = (await run<BatchRow>(client, query.lockBatch, { batchId })).rows[0];
    if (!row) throw noBatch(batchId);
    return row;
  }

  async function readBatchWithItems(connection: Queryable, batchId: string): Promise<BatchWithItems | undefined> {
    const row = await findBatchRow(connection, batchId);
    if (!row) return undefined;
    const items = (await run<ItemRow>(connection, query.selectItems, { batchId })).rows.map(toItemRecord);
    return { ...toBatchRecord(row), items };
  }

  /** Recomputes the counters and status from the items; call inside every write that changes items, under the batch's lock. */
  async function refreshBatch(client: PoolClient, batchId: string): Promise<BatchRecord> {
    const counts = (await run<ItemStatusCounts & { cost_usd: number }>(client, query.countItems, { batchId })).rows[0]!;
    const { rows } = await run<BatchRow>(client, query.updateBatchCounters, {
      batchId,
      status: deriveBatchStatus(counts),
      succeeded: counts.succeeded,
      failed: counts.failed,
      canceled: counts.canceled,
      costUsd: counts.cost_usd,
      now: timestamp(),
    });
    return toBatchRecord(rows[0]!);
  }

  async function appendEventInTransaction(client: PoolClient, batchId: string, event: BatchEventInput): Promise<BatchEvent> {
    const counters = (
      await run<{ sequence: number; total: number; succeeded: number; failed: number }>(client, query.nextEventSequence, { batchId })
    ).rows[0];
    if (!counters) throw noBatch(batchId);
    const { data: _data, result: _result, ...rest } = event as BatchEventInput & { data?: unknown; result?: unknown };
    const logged = {
      ...rest,
      batchId,
      sequence: counters.sequence,
      total: counters.total,
      completed: counters.succeeded,
      failed: counters.failed,
    } as BatchEvent;
    await run(client, query.insertEvent, {
      batchId,
      sequence: logged.sequence,
      type: logged.type,
      payload: JSON.stringify(logged),
      now: timestamp(),
    });
    // An item-start announces a provider call: if the process dies before the attempt is recorded,
    // recovery still counts that call in the item's attempts.
    if (logged.type === 'item-start') await run(client, query.markCallInFlight, { batchId, index: logged.index });
    return logged;
  }

  /** Ends an item write: the accompanying event (stamped with the refreshed counters) and the new state. */
  async function itemChange(client: PoolClient, item: ItemRecord, batch: BatchRecord, event?: BatchEventInput): Promise<ItemChange> {
    return event ? { batch, item, event: await appendEventInTransaction(client, item.batchId, event) } : { batch, item };
  }

  /**
   * The one `batch-end`, logged by the change that ended the batch, in its transaction: the batch's
   * row lock, taken before `before` was read, means no two changes can both see themselves end it.
   */
  async function batchEndIfEnded(client: PoolClient, before: BatchRecord['status'], after: BatchRecord): Promise<BatchEvent | undefined> {
    if (isFinishedBatchStatus(before) || !isFinishedBatchStatus(after.status)) return undefined;
    const batchEnd = await appendEventInTransaction(client, after.id, { type: 'batch-end', status: after.status, etaMs: 0 });
    await webhookDeliveries.createForBatchEnd(client, after, batchEnd.sequence);
    return batchEnd;
  }

  async function requireItem(connection: Queryable, batchId: string, index: number): Promise<ItemRow> {
    const item = (await run<ItemRow>(connection, query.selectItem, { batchId, index })).rows[0];
    if (item) return item;
    if (!(await findBatchRow(connection, batchId))) throw noBatch(batchId);
    throw new StoreError('not_found', `Batch "${batchId}" has no item ${index}`);
  }

  async function notRunning(connection: Queryable, batchId: string, index: number): Promise<StoreError> {
    const item = await requireItem(connection, batchId, index);
    return new StoreError('conflict', `Item ${index} of batch "${batchId}" is ${item.status}, not running`);
  }

  async function withItems(connection: Queryable, rows: BatchRow[]): Promise<BatchWithItems[]> {
    if (rows.length === 0) return [];
    const itemRows = (await run<ItemRow>(connection, query.selectItemsOfBatches, { batchIds: rows.map((row) => row.id) })).rows;
    const itemsByBatch = Map.groupBy(itemRows.map(toItemRecord), (item) => item.batchId);
    return rows.map((row) => ({ ...toBatchRecord(row), items: itemsByBatch.get(row.id) ?? [] }));
  }

  return {
    claimDueWebhookDeliveries: (claim) => webhookDeliveries.claimDueWebhookDeliveries(claim),
    recordWebhookAttempt: (attempt) => webhookDeliveries.recordWebhookAttempt(attempt),
    listWebhookDeliveries: (batchId) => webhookDeliveries.listWebhookDeliveries(batchId),
    releaseWebhookLeases: () => webhookDeliveries.releaseWebhookLeases(),
    async createBatch(batch, firstEvent) {
      if (batch.items.length === 0) throw new RangeError('A batch needs at least one item');
      const batchId = createId();
      return inWriteTransaction(pool, async (client): Promise<CreatedBatch> => {
        await run(client, query.insertBatch, {
          id: batchId,
          now: timestamp(),
          prompt: batch.prompt,
          mode: batch.mode,
          providerId: batch.providerId,
          modelId: batch.modelId,
          isDemo: batch.isDemo ?? false,
          params: JSON.stringify(batch.params),
          total: batch.items.length,
          ownerId: batch.ownerId ?? null,
          tokenId: batch.tokenId ?? null,
        });
        await run(client, query.insertItems, { batchId, prompts: batch.items.map((item) => item.prompt) });
        const logged = firstEvent ? await appendEventInTransaction(client, batchId, firstEvent) : undefined;
        return { ...(await readBatchWithItems(client, batchId))!, ...(logged ? { firstEvent: logged } : {}) };
      });
    },

    async getBatch(batchId) {
      return inReadTransaction(pool, (client) => readBatchWithItems(client, batchId));
    },

    async listBatches(options = {}) {
      const { limit = 20, before, includeItems = false } = options;
      assertLimit(limit, maximumPageLimit);
      const filters = pageFilters(options);
      return inReadTransaction(pool, async (client): Promise<BatchPage> => {
        let beforePosition = Number.MAX_SAFE_INTEGER;
        if (before !== undefined) {
          const cursorRow = await findBatchRow(client, before);
          if (!cursorRow) throw new StoreError('invalid_id', `The cursor "${before}" names no batch`);
          beforePosition = cursorRow.position;
        }
        const { rows } = await run<BatchRow>(client, query.selectPage, { beforePosition, limit: limit + 1, ...filters });
        const pageRows = rows.slice(0, limit);
        const nextCursor = rows.length > limit ? pageRows.at(-1)?.id : undefined;
        const batches = includeItems ? await withItems(client, pageRows) : pageRows.map(toBatchRecord);
        return nextCursor === undefined ? { batches } : { batches, nextCursor };
      });
    },

    async listRunnableItems({ providerId, modelId, limit = 10 } = {}) {
      assertLimit(limit, maximumPageLimit);
      const nowMs = now().getTime();
      return inReadTransaction(pool, async (client) => {
        const { rows } = await run<BatchRow & { runnable_index: number }>(client, query.selectRunnable, {
          providerId: providerId ?? null,
          modelId: modelId ?? null,
          limit,
          nowMs,
        });
        if (rows.length === 0) return [];
        const itemRows = (
          await run<ItemRow>(client, query.selectItemsAt, {
            batchIds: rows.map((row) => row.id),
            indexes: rows.map((row) => row.runnable_index),
          })
        ).rows;
        const itemByBatch = new Map(itemRows.map((row) => [row.batch_id, toItemRecord(row)]));
        return rows.map((row) => ({ batch: toBatchRecord(row), item: itemByBatch.get(row.id)! }));
      });
    },

    async nextRetryAtMs() {
      const nowMs = now().getTime();
      const { rows } = await run<{ not_before_ms: number | null }>(pool, query.nextNotBefore, { nowMs });
      return rows[0]?.not_before_ms ?? undefined;
    },

    async startItem({ batchId, index, event, lease }) {
      const nowMs = now().getTime();
      return inWriteTransaction(pool, async (client) => {
        await lockBatch(client, batchId);
        const { rows } = await run<ItemRow>(client, query.claimItem, {
          batchId,
          index,
          now: timestamp(),
          nowMs,
          leaseOwner: lease?.owner ?? null,
          leaseExpiresMs: lease?.expiresAtMs ?? null,
        });
        if (rows.length === 0) {
          await requireItem(client, batchId, index);
          return undefined;
        }
        await run(client, query.markBatchServed, { batchId });
        return itemChange(client, toItemRecord(rows[0]!), await refreshBatch(client, batchId), event);
      });
    },

    async renewLease({ batchId, index, owner, expiresAtMs }) {
      const { rowCount } = await run(pool, query.renewLease, { batchId, index, leaseOwner: owner, leaseExpiresMs: expiresAtMs });
      return rowCount === 1;
    },

    async retryItemLater({ batchId, index, attemptsInRun, notBeforeMs, event }) {
      assertAttempts(attemptsInRun);
      return inWriteTransaction(pool, async (client) => {
        await lockBatch(client, batchId);
        const { rows } = await run<ItemRow>(client, query.retryItemLater, { batchId, index, attemptsInRun, notBeforeMs });
        if (rows.length !== 1) throw await notRunning(client, batchId, index);
        return itemChange(client, toItemRecord(rows[0]!), await refreshBatch(client, batchId), event);
      });
    },

    async finishItem({ batchId, index, result, attemptsInRun, event }) {
      assertAttempts(attemptsInRun);
      return inWriteTransaction(pool, async (client) => {
        const before = (await lockBatch(client, batchId)).status;
        const { rows } = await run<ItemRow>(client, query.finishItem, { batchId, index, attemptsInRun, now: timestamp(), ...resultColumns(result) });
        if (rows.length !== 1) throw await notRunning(client, batchId, index);
        const change = await itemChange(client, toItemRecord(rows[0]!), await refreshBatch(client, batchId), event);
        const batchEnd = await batchEndIfEnded(client, before, change.batch);
        return batchEnd ? { ...change, batch: toBatchRecord((await findBatchRow(client, batchId))!), batchEnd } : change;
      });
    },

    async cancelQueuedItems(batchId): Promise<CanceledItems> {
      return inWriteTransaction(pool, async (client) => {
        const before = (await lockBatch(client, batchId)).status;
        const { rows } = await run<{ item_index: number }>(client, query.cancelQueuedItems, { batchId, now: timestamp() });
        if (rows.length === 0) return { count: 0, events: [] };
        const indexes = rows.map((row) => row.item_index).sort((left, right) => left - right);
        const batch = await refreshBatch(client, batchId);
        const events: BatchEvent[] = [];
        for (const index of indexes) {
          events.push(await appendEventInTransaction(client, batchId, { type: 'item-end', index, status: 'canceled', error: 'Canceled', etaMs: null }));
        }
        const batchEnd = await batchEndIfEnded(client, before, batch);
        return { count: rows.length, events: batchEnd ? [...events, batchEnd] : events };
      });
    },

    async deleteBatch(batchId): Promise<DeletedBatch> {
      return inWriteTransaction(pool, async (client) => {
        const row = await lockBatch(client, batchId);
        if (!isFinishedBatchStatus(row.status)) {
          throw new StoreError('conflict', `Batch "${batchId}" is still ${row.status}: cancel it before deleting it`);
        }
        const imageIds = (await run<{ image_id: string }>(client, query.selectBatchImageIds, { batchId })).rows.map((image) => image.image_id);
        const inputImageIds = inputImagesOf(toBatchRecord(row).params).map((image) => image.imageId);
        await run(client, query.deleteBatch, { batchId });
        return { imageIds: [...imageIds, ...inputImageIds] };
      });
    },

    async setItemFavorite({ batchId, index, isFavorite }) {
      return inWriteTransaction(pool, async (client) => {
        await lockBatch(client, batchId);
        const { rows } = await run<ItemRow>(client, query.setItemFavorite, { batchId, index, favorite: isFavorite });
        await requireItem(client, batchId, index);
        if (rows.length !== 1) throw new StoreError('conflict', `Item ${index} of batch "${batchId}" has no image to mark as a favorite`);
        return toItemRecord(rows[0]!);
      });
    },

    async deleteItemImage(batchId, index) {
      return inWriteTransaction(pool, async (client): Promise<DeletedItemImage> => {
        const batch = await lockBatch(client, batchId);
        const before = await requireItem(client, batchId, index);
        if (!isFinishedBatchStatus(batch.status)) {
          throw new StoreError('conflict', `Batch "${batchId}" is still ${batch.status}: wait for it to end before deleting one of its images`);
        }
        if (before.image_id === null) {
          if (before.image_deleted_at !== null) return { item: toItemRecord(before), imageIds: [] };
          throw new StoreError('conflict', `Item ${index} of batch "${batchId}" is ${before.status}: it has no image to delete`);
        }
        const { rows } = await run<ItemRow>(client, query.deleteItemImage, { batchId, index, now: timestamp() });
        return { item: toItemRecord(rows[0]!), imageIds: [before.image_id] };
      });
    },

    async findImageItems(imageIds) {
      if (imageIds.length === 0) return [];
      const { rows } = await run<ItemRow & Record<string, unknown>>(pool, query.selectImageItems, { imageIds: [...imageIds] });
      return rows.map((row) => {
        const batchRow = Object.fromEntries(
          Object.entries(row).flatMap(([column, value]) => (column.startsWith(batchColumnPrefix) ? [[column.slice(batchColumnPrefix.length), value]] : [])),
        ) as unknown as BatchRow;
        return { batch: toBatchRecord(batchRow), item: toItemRecord(row) };
      });
    },

    async usage({ ownerId } = {}) {
      const { rows } = await run<{ batch_count: number; image_count: number; image_bytes: number }>(pool, query.selectUsage, {
        ownerId: ownerId ?? null,
      });
      const row = rows[0]!;
      return { batchCount: row.batch_count, imageCount: row.image_count, imageBytes: row.image_bytes };
    },

    async activity({ ownerId, tokenId }, since) {
      const { rows } = await run<{
        images_since: number;
        spent_usd_since: number;
        unfinished_batches: number;
        pending_estimate_usd: number;
      }>(pool, query.selectActivity, { ownerId: ownerId ?? null, tokenId: tokenId ?? null, since: since.toISOString() });
      const row = rows[0]!;
      return {
        imagesSince: row.images_since,
        spentUsdSince: row.spent_usd_since,
        unfinishedBatches: row.unfinished_batches,
        pendingEstimateUsd: row.pending_estimate_usd,
      };
    },

    async findImageOwner(imageId) {
      const row = (await run<{ owner_id: string | null }>(pool, query.selectImageOwner, { imageId })).rows[0];
      return row ? { ownerId: row.owner_id } : undefined;
    },

    async listFinishedBatchIdsBefore(before, limit = 100) {
      assertLimit(limit, maximumPageLimit);
      const { rows } = await run<{ id: string }>(pool, query.selectFinishedBefore, { before: before.toISOString(), limit });
      return rows.map((row) => row.id);
    },

    async requeueItems(batchId, statuses = ['failed', 'canceled'], runStart) {
      for (const status of statuses) {
        if (!requeueableStatuses.has(status)) throw new RangeError(`Only failed and canceled items can be requeued, not ${status}`);
      }
      return inWriteTransaction(pool, async (client): Promise<RequeuedItems> => {
        const batch = await lockBatch(client, batchId);
        if (batch.status === 'queued' || batch.status === 'running') {
          throw new StoreError('conflict', `Batch "${batchId}" is still ${batch.status}: wait for it to end or cancel it first`);
        }
        if (statuses.length === 0) return { count: 0 };
        const { rowCount: count } = await run(client, query.requeueItems, { batchId, statuses: [...statuses] });
        if (count === 0) return { count };
        await refreshBatch(client, batchId);
        return runStart ? { count, runStart: await appendEventInTransaction(client, batchId, runStart) } : { count };
      });
    },

    async requeueInterruptedItems(options = {}) {
      const nowMs = options.onlyExpiredLeases ? now().getTime() : null;
      return inWriteTransaction(pool, async (client) => {
        const candidates = (await run<{ batch_id: string }>(client, query.selectInterruptedBatchIds, { nowMs })).rows.map((row) => row.batch_id);
        if (candidates.length === 0) return 0;
        // Lock the batches first (one order for all), then requeue only their items: an item that
        // became interrupted meanwhile in another batch is left for the next recovery.
        const batchIds = (await run<{ id: string }>(client, query.lockBatches, { batchIds: candidates })).rows.map((row) => row.id);
        const { rows } = await run<{ batch_id: string }>(client, query.requeueInterruptedItems, { batchIds, nowMs });
        for (const batchId of new Set(rows.map((row) => row.batch_id))) await refreshBatch(client, batchId);
        return rows.length;
      });
    },

    async appendEvent(batchId, event) {
      return inWriteTransaction(pool, (client) => appendEventInTransaction(client, batchId, event));
    },

    async listEvents(batchId, { afterSequence = 0, limit = 1_000 } = {}) {
      assertLimit(limit, maximumEventLimit);
      if (!Number.isInteger(afterSequence) || afterSequence < 0) throw new RangeError('afterSequence must be a whole number ≥ 0');
      const { rows } = await run<{ payload: BatchEvent | null }>(pool, query.selectEvents, { batchId, afterSequence, limit });
      if (rows.length === 0) throw noBatch(batchId);
      return rows.flatMap((row) => (row.payload === null ? [] : [toBatchEvent({ payload: row.payload })]));
    },

    async close() {
      if (isClosed) return;
      isClosed = true;
      await endPool();
    },
  };
}

/** `selectImageItems` names the batch's columns `batch__<column>` beside the item's. */
const batchColumnPrefix = 'batch__';

function noBatch(batchId: string): StoreError {
  return new StoreError('not_found', `No batch with id "${batchId}"`);
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
