import { compileQueries } from './database';

/**
 * The columns the records are read from, named rather than `*`: a statement prepared on a connection
 * keeps its result columns, so when a newer process adds a column (a migration during a rolling
 * upgrade), this one's statements go on working instead of failing with "cached plan must not change
 * result type".
 */
const batchColumns = [
  'position', 'id', 'created_at', 'updated_at', 'prompt', 'mode', 'provider_id', 'model_id', 'is_demo', 'cost_usd', 'params',
  'status', 'total', 'succeeded', 'failed', 'canceled', 'last_event_sequence', 'owner_id', 'token_id',
];
const itemColumns = [
  'batch_id', 'item_index', 'prompt', 'status', 'attempts', 'run_attempts', 'not_before_ms', 'error_kind', 'error_message',
  'error_details', 'error_retry_after_ms', 'error_retry_stop', 'image_id', 'mime_type', 'byte_length', 'usage', 'cost_usd',
  'started_at', 'ended_at', 'favorite', 'image_deleted_at', 'seed',
];
const batch = batchColumns.join(', ');
const item = itemColumns.join(', ');
const batchOf = (table: string) => batchColumns.map((column) => `${table}.${column}`).join(', ');
const itemOf = (table: string) => itemColumns.map((column) => `${table}.${column}`).join(', ');

/**
 * Every query the PostgreSQL batch store runs, with `:name` parameters (compiled to `$n`). They
 * mirror the SQLite store's statements; where they differ, PostgreSQL's way is noted. A `:name::type`
 * cast gives PostgreSQL the type of a parameter that is only compared with NULL.
 */
export const batchQueries = compileQueries('batches', {
  insertBatch: `INSERT INTO batches (id, created_at, updated_at, prompt, mode, provider_id, model_id, is_demo, params, status, total, owner_id, token_id)
    VALUES (:id, :now, :now, :prompt, :mode, :providerId, :modelId, :isDemo, :params::jsonb, 'queued', :total, :ownerId, :tokenId)`,
  // One statement for all the items, numbered from 1 in the order given.
  insertItems: `INSERT INTO items (batch_id, item_index, prompt, status)
    SELECT :batchId, given.position, given.prompt, 'queued' FROM unnest(:prompts::text[]) WITH ORDINALITY AS given (prompt, position)`,
  selectBatch: `SELECT ${batch} FROM batches WHERE id = :batchId`,
  // Every write that changes a batch's items takes its row lock first: writers to one batch go one at
  // a time (the counters they recompute and the batch-end they may log see every earlier change), and
  // always in the order batch row, then items, so they never deadlock. NO KEY: the key never changes,
  // so inserts that reference the row (events) are not blocked by the lock itself.
  lockBatch: `SELECT ${batch} FROM batches WHERE id = :batchId FOR NO KEY UPDATE`,
  // Several batches at once (recovery), in one order for every writer.
  lockBatches: `SELECT id FROM batches WHERE id = ANY(:batchIds::text[]) ORDER BY id FOR NO KEY UPDATE`,
  selectItems: `SELECT ${item} FROM items WHERE batch_id = :batchId ORDER BY item_index`,
  selectItemsOfBatches: `SELECT ${item} FROM items WHERE batch_id = ANY(:batchIds::text[]) ORDER BY batch_id, item_index`,
  selectItemsAt: `SELECT ${itemOf('items')} FROM items JOIN unnest(:batchIds::text[], :indexes::int[]) AS wanted (batch_id, item_index)
    ON items.batch_id = wanted.batch_id AND items.item_index = wanted.item_index`,
  selectItem: `SELECT ${item} FROM items WHERE batch_id = :batchId AND item_index = :index`,
  // Every filter is off when its parameter is NULL (or false), so one prepared statement serves every search.
  selectPage: `SELECT ${batch} FROM batches WHERE position < :beforePosition AND (:ownerId::text IS NULL OR owner_id = :ownerId)
      AND (:statuses::text[] IS NULL OR status = ANY(:statuses::text[]))
      AND (:providerId::text IS NULL OR provider_id = :providerId)
      AND (:modelId::text IS NULL OR model_id = :modelId)
      AND (:createdFrom::timestamptz IS NULL OR created_at >= :createdFrom::timestamptz)
      AND (:createdBefore::timestamptz IS NULL OR created_at < :createdBefore::timestamptz)
      AND (:promptPattern::text IS NULL OR prompt ILIKE :promptPattern ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM items WHERE items.batch_id = batches.id AND items.prompt ILIKE :promptPattern ESCAPE '\\'))
      AND (NOT :onlyWithFavorites::boolean OR EXISTS (SELECT 1 FROM items WHERE items.batch_id = batches.id AND items.favorite))
    ORDER BY position DESC LIMIT :limit`,
  // Fair share: batches of the owner whose latest served turn is oldest come first (owner_id NULL is
  // one owner: the batches made while accounts were off), then the least recently served batch, then
  // creation order. The owner's turn is the MAX over all their batches, as in SQLite; the two branches
  // of the CASE each use the (owner_id, last_served_turn) index, which `IS NOT DISTINCT FROM` could not.
  selectRunnable: `SELECT ${batchOf('batches')}, runnable.item_index AS runnable_index
    FROM batches
    CROSS JOIN LATERAL (SELECT MIN(queued.item_index) AS item_index FROM items AS queued
      WHERE queued.batch_id = batches.id AND queued.status = 'queued'
        AND (queued.not_before_ms IS NULL OR queued.not_before_ms <= :nowMs)) AS runnable
    WHERE batches.status IN ('queued', 'running')
      AND (:providerId::text IS NULL OR batches.provider_id = :providerId)
      AND (:modelId::text IS NULL OR batches.model_id = :modelId)
      AND runnable.item_index IS NOT NULL
    ORDER BY
      CASE WHEN batches.owner_id IS NULL
        THEN (SELECT MAX(same_owner.last_served_turn) FROM batches AS same_owner WHERE same_owner.owner_id IS NULL)
        ELSE (SELECT MAX(same_owner.last_served_turn) FROM batches AS same_owner WHERE same_owner.owner_id = batches.owner_id)
      END,
      batches.last_served_turn, batches.position
    LIMIT :limit`,
  countItems: `SELECT COUNT(*) AS total,
      COUNT(*) FILTER (WHERE status = 'queued') AS queued,
      COUNT(*) FILTER (WHERE status = 'running') AS running,
      COUNT(*) FILTER (WHERE status = 'succeeded') AS succeeded,
      COUNT(*) FILTER (WHERE status = 'failed') AS failed,
      COUNT(*) FILTER (WHERE status = 'canceled') AS canceled,
      COALESCE(SUM(cost_usd), 0) AS cost_usd
    FROM items WHERE batch_id = :batchId`,
  updateBatchCounters: `UPDATE batches SET status = :status, succeeded = :succeeded, failed = :failed, canceled = :canceled,
    cost_usd = :costUsd, updated_at = :now WHERE id = :batchId RETURNING ${batch}`,
  markBatchServed: `UPDATE batches SET last_served_turn = nextval('served_turns') WHERE id = :batchId`,
  nextNotBefore: `SELECT MIN(items.not_before_ms) AS not_before_ms FROM items JOIN batches ON batches.id = items.batch_id
    WHERE items.status = 'queued' AND items.not_before_ms > :nowMs AND batches.status IN ('queued', 'running')`,
  claimItem: `UPDATE items SET status = 'running', started_at = :now, ended_at = NULL, not_before_ms = NULL,
      lease_owner = :leaseOwner, lease_expires_ms = :leaseExpiresMs
    WHERE batch_id = :batchId AND item_index = :index AND status = 'queued'
      AND (not_before_ms IS NULL OR not_before_ms <= :nowMs)
    RETURNING ${item}`,
  renewLease: `UPDATE items SET lease_expires_ms = :leaseExpiresMs
    WHERE batch_id = :batchId AND item_index = :index AND status = 'running' AND lease_owner = :leaseOwner`,
  retryItemLater: `UPDATE items SET status = 'queued', attempts = attempts + :attemptsInRun, run_attempts = run_attempts + :attemptsInRun,
      not_before_ms = :notBeforeMs, lease_owner = NULL, lease_expires_ms = NULL, call_in_flight = FALSE
    WHERE batch_id = :batchId AND item_index = :index AND status = 'running'
    RETURNING ${item}`,
  finishItem: `UPDATE items SET status = :status, attempts = attempts + :attemptsInRun, run_attempts = run_attempts + :attemptsInRun,
      ended_at = :now, lease_owner = NULL, lease_expires_ms = NULL, call_in_flight = FALSE,
      error_kind = :errorKind, error_message = :errorMessage, error_details = :errorDetails,
      error_retry_after_ms = :errorRetryAfterMs, error_retry_stop = :errorRetryStop,
      image_id = :imageId, mime_type = :mimeType, byte_length = :byteLength, usage = :usage::jsonb, cost_usd = :costUsd,
      seed = :seed::bigint
    WHERE batch_id = :batchId AND item_index = :index AND status = 'running'
    RETURNING ${item}`,
  cancelQueuedItems: `UPDATE items SET status = 'canceled', ended_at = :now, not_before_ms = NULL
    WHERE batch_id = :batchId AND status = 'queued' RETURNING item_index`,
  requeueItems: `UPDATE items SET status = 'queued', error_kind = NULL, error_message = NULL, error_details = NULL,
      error_retry_after_ms = NULL, error_retry_stop = NULL, started_at = NULL, ended_at = NULL, run_attempts = 0, not_before_ms = NULL
    WHERE batch_id = :batchId AND status = ANY(:statuses::text[])`,
  selectInterruptedBatchIds: `SELECT DISTINCT batch_id FROM items WHERE status = 'running'
    AND (:nowMs::bigint IS NULL OR lease_expires_ms IS NULL OR lease_expires_ms < :nowMs)`,
  // SET reads the row as it was: the announced call is added before the flag is cleared.
  requeueInterruptedItems: `UPDATE items SET status = 'queued', started_at = NULL, lease_owner = NULL, lease_expires_ms = NULL,
      attempts = attempts + call_in_flight::int, run_attempts = run_attempts + call_in_flight::int, call_in_flight = FALSE
    WHERE batch_id = ANY(:batchIds::text[]) AND status = 'running'
      AND (:nowMs::bigint IS NULL OR lease_expires_ms IS NULL OR lease_expires_ms < :nowMs)
    RETURNING batch_id`,
  deleteBatch: `DELETE FROM batches WHERE id = :batchId`,
  markCallInFlight: `UPDATE items SET call_in_flight = TRUE WHERE batch_id = :batchId AND item_index = :index AND status = 'running'`,
  selectUsage: `SELECT (SELECT COUNT(*) FROM batches WHERE :ownerId::text IS NULL OR owner_id = :ownerId) AS batch_count,
      COUNT(*) AS image_count, COALESCE(SUM(items.byte_length), 0)::bigint AS image_bytes
    FROM items JOIN batches ON batches.id = items.batch_id
    WHERE items.image_id IS NOT NULL AND (:ownerId::text IS NULL OR batches.owner_id = :ownerId)`,
  selectActivity: `SELECT
      (SELECT COUNT(*) FROM items JOIN batches ON batches.id = items.batch_id
        WHERE (:ownerId::text IS NULL OR batches.owner_id = :ownerId) AND (:tokenId::text IS NULL OR batches.token_id = :tokenId)
          AND batches.created_at >= :since::timestamptz AND items.status != 'canceled') AS images_since,
      (SELECT COALESCE(SUM(items.cost_usd), 0) FROM items JOIN batches ON batches.id = items.batch_id
        WHERE (:ownerId::text IS NULL OR batches.owner_id = :ownerId) AND (:tokenId::text IS NULL OR batches.token_id = :tokenId)
          AND items.ended_at >= :since::timestamptz) AS spent_usd_since,
      (SELECT COUNT(*) FROM batches
        WHERE (:ownerId::text IS NULL OR owner_id = :ownerId) AND (:tokenId::text IS NULL OR token_id = :tokenId)
          AND status IN ('queued', 'running')) AS unfinished_batches,
      (SELECT COALESCE(SUM(
          CASE WHEN jsonb_typeof(params -> 'estimatedImageCostUsd') = 'number' THEN (params ->> 'estimatedImageCostUsd')::float8 ELSE 0 END
          * (total - succeeded - failed - canceled)), 0)
        FROM batches
        WHERE (:ownerId::text IS NULL OR owner_id = :ownerId) AND (:tokenId::text IS NULL OR token_id = :tokenId)
          AND status IN ('queued', 'running')) AS pending_estimate_usd`,
  // A made image first, then an uploaded one (inputImages, or the single inputImage of older batches);
  // each branch has its index, and UNION ALL under LIMIT 1 stops at the first branch that answers.
  selectImageOwner: `(SELECT batches.owner_id FROM items JOIN batches ON batches.id = items.batch_id WHERE items.image_id = :imageId LIMIT 1)
    UNION ALL
    (SELECT owner_id FROM batches WHERE params -> 'inputImages' @> jsonb_build_array(jsonb_build_object('imageId', :imageId::text)) LIMIT 1)
    UNION ALL
    (SELECT owner_id FROM batches WHERE params ? 'inputImage' AND params -> 'inputImage' ->> 'imageId' = :imageId LIMIT 1)
    LIMIT 1`,
  selectBatchImageIds: `SELECT image_id FROM items WHERE batch_id = :batchId AND image_id IS NOT NULL`,
  selectFinishedBefore: `SELECT id FROM batches WHERE status IN ('completed', 'partial', 'failed', 'canceled') AND updated_at < :before
      AND NOT EXISTS (SELECT 1 FROM items WHERE items.batch_id = batches.id AND items.favorite)
    ORDER BY position LIMIT :limit`,
  setItemFavorite: `UPDATE items SET favorite = :favorite WHERE batch_id = :batchId AND item_index = :index
      AND (NOT :favorite::boolean OR image_id IS NOT NULL)
    RETURNING ${item}`,
  deleteItemImage: `UPDATE items SET image_id = NULL, mime_type = NULL, byte_length = NULL, favorite = FALSE, image_deleted_at = :now
    WHERE batch_id = :batchId AND item_index = :index AND image_id IS NOT NULL
    RETURNING ${item}`,
  selectImageItems: `SELECT ${itemOf('items')}, ${batchColumns.map((column) => `batches.${column} AS batch__${column}`).join(', ')}
    FROM items JOIN batches ON batches.id = items.batch_id WHERE items.image_id = ANY(:imageIds::text[])`,
  // The UPDATE takes the batch row's lock until the transaction ends: sequences 1, 2, 3, … with no
  // gap (a rolled-back transaction gives its number back) and no repeat, across every connection.
  nextEventSequence: `UPDATE batches SET last_event_sequence = last_event_sequence + 1 WHERE id = :batchId
    RETURNING last_event_sequence AS sequence, total, succeeded, failed`,
  insertEvent: `INSERT INTO batch_events (batch_id, sequence, type, payload, created_at)
    VALUES (:batchId, :sequence, :type, :payload::json, :now)`,
  // One statement, so one snapshot: no row means no batch; a row without payload, no event yet.
  selectEvents: `SELECT events.payload FROM batches
    LEFT JOIN LATERAL (SELECT payload, sequence FROM batch_events
      WHERE batch_events.batch_id = batches.id AND batch_events.sequence > :afterSequence
      ORDER BY batch_events.sequence LIMIT :limit) AS events ON TRUE
    WHERE batches.id = :batchId
    ORDER BY events.sequence`,
});
