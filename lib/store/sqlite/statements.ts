import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** Every query the SQLite batch store runs, prepared once per connection. */
const sql = {
  insertBatch: `INSERT INTO batches (id, created_at, updated_at, prompt, mode, provider_id, model_id, is_demo, params, status, total, owner_id, token_id)
    VALUES (:id, :now, :now, :prompt, :mode, :providerId, :modelId, :isDemo, :params, 'queued', :total, :ownerId, :tokenId)`,
  insertItem: `INSERT INTO items (batch_id, item_index, prompt, status) VALUES (:batchId, :index, :prompt, 'queued')`,
  selectBatch: `SELECT * FROM batches WHERE id = :batchId`,
  selectItems: `SELECT * FROM items WHERE batch_id = :batchId ORDER BY item_index`,
  selectItem: `SELECT * FROM items WHERE batch_id = :batchId AND item_index = :index`,
  // Every filter is off when its parameter is NULL (or 0), so one prepared statement serves every search.
  selectPage: `SELECT * FROM batches WHERE position < :beforePosition AND (:ownerId IS NULL OR owner_id = :ownerId)
      AND (:statuses IS NULL OR status IN (SELECT value FROM json_each(:statuses)))
      AND (:providerId IS NULL OR provider_id = :providerId)
      AND (:modelId IS NULL OR model_id = :modelId)
      AND (:createdFrom IS NULL OR created_at >= :createdFrom)
      AND (:createdBefore IS NULL OR created_at < :createdBefore)
      AND (:promptPattern IS NULL OR prompt LIKE :promptPattern ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM items WHERE items.batch_id = batches.id AND items.prompt LIKE :promptPattern ESCAPE '\\'))
      AND (:onlyWithFavorites = 0 OR EXISTS (SELECT 1 FROM items WHERE items.batch_id = batches.id AND items.favorite = 1))
    ORDER BY position DESC LIMIT :limit`,
  selectItemsOfBatches: `SELECT * FROM items WHERE batch_id IN (SELECT value FROM json_each(:batchIds)) ORDER BY batch_id, item_index`,
  selectRunnable: `SELECT batches.id AS batch_id,
      (SELECT MIN(queued.item_index) FROM items AS queued WHERE queued.batch_id = batches.id AND queued.status = 'queued'
        AND (queued.not_before_ms IS NULL OR queued.not_before_ms <= :nowMs)) AS item_index
    FROM batches
    WHERE batches.status IN ('queued', 'running')
      AND (:providerId IS NULL OR batches.provider_id = :providerId)
      AND (:modelId IS NULL OR batches.model_id = :modelId)
      AND item_index IS NOT NULL
    ORDER BY (SELECT MAX(same_owner.last_served_turn) FROM batches AS same_owner WHERE same_owner.owner_id IS batches.owner_id),
      batches.last_served_turn, batches.position
    LIMIT :limit`,
  countItems: `SELECT COUNT(*) AS total,
      COALESCE(SUM(status = 'queued'), 0) AS queued,
      COALESCE(SUM(status = 'running'), 0) AS running,
      COALESCE(SUM(status = 'succeeded'), 0) AS succeeded,
      COALESCE(SUM(status = 'failed'), 0) AS failed,
      COALESCE(SUM(status = 'canceled'), 0) AS canceled,
      COALESCE(SUM(cost_usd), 0) AS cost_usd
    FROM items WHERE batch_id = :batchId`,
  updateBatchCounters: `UPDATE batches SET status = :status, succeeded = :succeeded, failed = :failed, canceled = :canceled,
    cost_usd = :costUsd, updated_at = :now WHERE id = :batchId`,
  markBatchServed: `UPDATE batches SET last_served_turn = (SELECT MAX(last_served_turn) FROM batches) + 1 WHERE id = :batchId`,
  nextNotBefore: `SELECT MIN(items.not_before_ms) AS not_before_ms FROM items JOIN batches ON batches.id = items.batch_id
    WHERE items.status = 'queued' AND items.not_before_ms > :nowMs AND batches.status IN ('queued', 'running')`,
  claimItem: `UPDATE items SET status = 'running', started_at = :now, ended_at = NULL, not_before_ms = NULL,
      lease_owner = :leaseOwner, lease_expires_ms = :leaseExpiresMs
    WHERE batch_id = :batchId AND item_index = :index AND status = 'queued'
      AND (not_before_ms IS NULL OR not_before_ms <= :nowMs)`,
  renewLease: `UPDATE items SET lease_expires_ms = :leaseExpiresMs
    WHERE batch_id = :batchId AND item_index = :index AND status = 'running' AND lease_owner = :leaseOwner`,
  retryItemLater: `UPDATE items SET status = 'queued', attempts = attempts + :attemptsInRun, run_attempts = run_attempts + :attemptsInRun,
      not_before_ms = :notBeforeMs, lease_owner = NULL, lease_expires_ms = NULL, call_in_flight = 0
    WHERE batch_id = :batchId AND item_index = :index AND status = 'running'`,
  finishItem: `UPDATE items SET status = :status, attempts = attempts + :attemptsInRun, run_attempts = run_attempts + :attemptsInRun,
      ended_at = :now, lease_owner = NULL, lease_expires_ms = NULL, call_in_flight = 0,
      error_kind = :errorKind, error_message = :errorMessage, error_details = :errorDetails,
      error_retry_after_ms = :errorRetryAfterMs, error_retry_stop = :errorRetryStop,
      image_id = :imageId, mime_type = :mimeType, byte_length = :byteLength, usage = :usage, cost_usd = :costUsd,
      seed = :seed
    WHERE batch_id = :batchId AND item_index = :index AND status = 'running'`,
  selectQueuedIndexes: `SELECT item_index FROM items WHERE batch_id = :batchId AND status = 'queued' ORDER BY item_index`,
  cancelQueuedItems: `UPDATE items SET status = 'canceled', ended_at = :now, not_before_ms = NULL WHERE batch_id = :batchId AND status = 'queued'`,
  requeueItems: `UPDATE items SET status = 'queued', error_kind = NULL, error_message = NULL, error_details = NULL,
      error_retry_after_ms = NULL, error_retry_stop = NULL, started_at = NULL, ended_at = NULL, run_attempts = 0, not_before_ms = NULL
    WHERE batch_id = :batchId AND status IN (:firstStatus, :secondStatus)`,
  selectInterruptedBatchIds: `SELECT DISTINCT batch_id FROM items WHERE status = 'running'
    AND (:nowMs IS NULL OR lease_expires_ms IS NULL OR lease_expires_ms < :nowMs)`,
  requeueInterruptedItems: `UPDATE items SET status = 'queued', started_at = NULL, lease_owner = NULL, lease_expires_ms = NULL,
      attempts = attempts + call_in_flight, run_attempts = run_attempts + call_in_flight, call_in_flight = 0
    WHERE status = 'running' AND (:nowMs IS NULL OR lease_expires_ms IS NULL OR lease_expires_ms < :nowMs)`,
  deleteBatch: `DELETE FROM batches WHERE id = :batchId`,
  markCallInFlight: `UPDATE items SET call_in_flight = 1 WHERE batch_id = :batchId AND item_index = :index AND status = 'running'`,
  selectUsage: `SELECT (SELECT COUNT(*) FROM batches WHERE :ownerId IS NULL OR owner_id = :ownerId) AS batch_count,
      COUNT(*) AS image_count, COALESCE(SUM(items.byte_length), 0) AS image_bytes
    FROM items JOIN batches ON batches.id = items.batch_id
    WHERE items.image_id IS NOT NULL AND (:ownerId IS NULL OR batches.owner_id = :ownerId)`,
  selectActivity: `SELECT
      (SELECT COUNT(*) FROM items JOIN batches ON batches.id = items.batch_id
        WHERE (:ownerId IS NULL OR batches.owner_id = :ownerId) AND (:tokenId IS NULL OR batches.token_id = :tokenId)
          AND batches.created_at >= :since AND items.status != 'canceled') AS images_since,
      (SELECT COALESCE(SUM(items.cost_usd), 0) FROM items JOIN batches ON batches.id = items.batch_id
        WHERE (:ownerId IS NULL OR batches.owner_id = :ownerId) AND (:tokenId IS NULL OR batches.token_id = :tokenId)
          AND items.ended_at >= :since) AS spent_usd_since,
      (SELECT COUNT(*) FROM batches
        WHERE (:ownerId IS NULL OR owner_id = :ownerId) AND (:tokenId IS NULL OR token_id = :tokenId)
          AND status IN ('queued', 'running')) AS unfinished_batches,
      (SELECT COALESCE(SUM(COALESCE(json_extract(params, '$.estimatedImageCostUsd'), 0) * (total - succeeded - failed - canceled)), 0)
        FROM batches
        WHERE (:ownerId IS NULL OR owner_id = :ownerId) AND (:tokenId IS NULL OR token_id = :tokenId)
          AND status IN ('queued', 'running')) AS pending_estimate_usd`,
  selectMadeImageOwner: `SELECT batches.owner_id FROM items JOIN batches ON batches.id = items.batch_id WHERE items.image_id = :imageId LIMIT 1`,
  selectInputImageOwner: `SELECT owner_id FROM batches
    WHERE EXISTS (SELECT 1 FROM json_each(batches.params, '$.inputImages') AS input WHERE json_extract(input.value, '$.imageId') = :imageId)
      OR json_extract(batches.params, '$.inputImage.imageId') = :imageId
    LIMIT 1`,
  selectBatchImageIds: `SELECT image_id FROM items WHERE batch_id = :batchId AND image_id IS NOT NULL`,
  selectFinishedBefore: `SELECT id FROM batches WHERE status IN ('completed', 'partial', 'failed', 'canceled') AND updated_at < :before
      AND NOT EXISTS (SELECT 1 FROM items WHERE items.batch_id = batches.id AND items.favorite = 1)
    ORDER BY position LIMIT :limit`,
  setItemFavorite: `UPDATE items SET favorite = :favorite WHERE batch_id = :batchId AND item_index = :index
      AND (:favorite = 0 OR image_id IS NOT NULL)`,
  deleteItemImage: `UPDATE items SET image_id = NULL, mime_type = NULL, byte_length = NULL, favorite = 0, image_deleted_at = :now
    WHERE batch_id = :batchId AND item_index = :index AND image_id IS NOT NULL`,
  selectImageItems: `SELECT items.* FROM items WHERE items.image_id IN (SELECT value FROM json_each(:imageIds))`,
  nextEventSequence: `UPDATE batches SET last_event_sequence = last_event_sequence + 1 WHERE id = :batchId
    RETURNING last_event_sequence AS sequence, total, succeeded, failed`,
  insertEvent: `INSERT INTO batch_events (batch_id, sequence, type, payload, created_at)
    VALUES (:batchId, :sequence, :type, :payload, :now)`,
  selectEvents: `SELECT payload FROM batch_events WHERE batch_id = :batchId AND sequence > :afterSequence
    ORDER BY sequence LIMIT :limit`,
} as const;

export type Statements = Record<keyof typeof sql, StatementSync>;

export function prepareStatements(database: DatabaseSync): Statements {
  return Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, database.prepare(text)])) as Statements;
}
