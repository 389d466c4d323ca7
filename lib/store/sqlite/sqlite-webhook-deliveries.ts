import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { BatchRecord } from '../batch-records';
import { newWebhookId, type WebhookDelivery, type WebhookDeliveryStatus, type WebhookDeliveryStore } from '../webhook-deliveries';
import { inReadTransaction, inWriteTransaction } from './transaction';

interface DeliveryRow {
  id: string;
  batch_id: string;
  event_sequence: number;
  url: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_ms: number | null;
  payload: string | null;
  created_at: string;
  delivered_at: string | null;
}

const sql = {
  insert: `INSERT INTO webhook_deliveries (id, batch_id, event_sequence, url, status, next_attempt_ms, created_at)
    VALUES (:id, :batchId, :eventSequence, :url, 'pending', :nowMs, :now)
    ON CONFLICT (batch_id, event_sequence, url) DO NOTHING`,
  selectDue: `SELECT id FROM webhook_deliveries
    WHERE status = 'pending' AND next_attempt_ms <= :nowMs AND (lease_expires_ms IS NULL OR lease_expires_ms <= :nowMs)
    ORDER BY next_attempt_ms, created_at LIMIT :limit`,
  claim: `UPDATE webhook_deliveries SET lease_owner = :owner, lease_expires_ms = :leaseExpiresMs WHERE id = :id RETURNING *`,
  recordAttempt: `UPDATE webhook_deliveries SET attempts = attempts + 1, status = :status,
      last_status_code = :statusCode, last_error = :error, next_attempt_ms = :nextAttemptMs,
      payload = COALESCE(payload, :payload), delivered_at = :deliveredAt, lease_owner = NULL, lease_expires_ms = NULL
    WHERE id = :id AND lease_owner = :owner AND status = 'pending' AND lease_expires_ms > :nowMs RETURNING *`,
  releaseLeases: `UPDATE webhook_deliveries SET lease_owner = NULL, lease_expires_ms = NULL WHERE status = 'pending' AND lease_owner IS NOT NULL`,
  selectOfBatch: `SELECT * FROM webhook_deliveries WHERE batch_id = :batchId ORDER BY event_sequence, created_at, url`,
} as const;

export interface SqliteWebhookDeliveries extends WebhookDeliveryStore {
  /** Inside the transaction that logs a `batch-end`: one pending delivery per webhook URL of the batch. */
  createForBatchEnd(batch: BatchRecord, eventSequence: number): void;
}

/** The webhook deliveries table of the SQLite batch store, on its connection and clock. */
export function createSqliteWebhookDeliveries(database: DatabaseSync, now: () => Date, createId: () => string = randomUUID): SqliteWebhookDeliveries {
  const query = Object.fromEntries(Object.entries(sql).map(([key, text]) => [key, database.prepare(text)])) as {
    [Key in keyof typeof sql]: ReturnType<DatabaseSync['prepare']>;
  };
  return {
    createForBatchEnd(batch, eventSequence) {
      const at = now();
      for (const url of batch.params.webhookUrls ?? []) {
        query.insert.run({ id: newWebhookId(createId), batchId: batch.id, eventSequence, url, nowMs: at.getTime(), now: at.toISOString() });
      }
    },
    async claimDueWebhookDeliveries({ owner, leaseMs, limit = 10 }) {
      const nowMs = now().getTime();
      return inWriteTransaction(database, () => {
        const due = query.selectDue.all({ nowMs, limit }) as unknown as { id: string }[];
        return due.map(({ id }) => toDelivery(query.claim.get({ id, owner, leaseExpiresMs: nowMs + leaseMs }) as unknown as DeliveryRow));
      });
    },
    async recordWebhookAttempt(attempt) {
      const at = now();
      return inWriteTransaction(database, () => {
        const row = query.recordAttempt.get({
          id: attempt.id,
          owner: attempt.owner,
          status: attempt.outcome === 'retry' ? 'pending' : attempt.outcome,
          statusCode: attempt.statusCode ?? null,
          error: attempt.error ?? null,
          nextAttemptMs: attempt.outcome === 'retry' ? (attempt.nextAttemptAtMs ?? at.getTime()) : null,
          payload: attempt.payload,
          deliveredAt: attempt.outcome === 'delivered' ? at.toISOString() : null,
          nowMs: at.getTime(),
        }) as unknown as DeliveryRow | undefined;
        return row ? toDelivery(row) : undefined;
      });
    },
    async releaseWebhookLeases() {
      return Number(query.releaseLeases.run().changes);
    },
    async listWebhookDeliveries(batchId) {
      return inReadTransaction(database, () => (query.selectOfBatch.all({ batchId }) as unknown as DeliveryRow[]).map(toDelivery));
    },
  };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    batchId: row.batch_id,
    eventSequence: row.event_sequence,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    ...(row.last_status_code === null ? {} : { lastStatusCode: row.last_status_code }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.next_attempt_ms === null || row.status !== 'pending' ? {} : { nextAttemptAtMs: row.next_attempt_ms }),
    ...(row.payload === null ? {} : { payload: row.payload }),
    createdAt: row.created_at,
    ...(row.delivered_at === null ? {} : { deliveredAt: row.delivered_at }),
  };
}
