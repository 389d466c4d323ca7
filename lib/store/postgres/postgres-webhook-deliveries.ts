import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { BatchRecord } from '../batch-records';
import { newWebhookId, type WebhookDelivery, type WebhookDeliveryStatus, type WebhookDeliveryStore } from '../webhook-deliveries';
import { compileQueries, inWriteTransaction, run } from './database';

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
  created_at: Date;
  delivered_at: Date | null;
}

// Named columns rather than `*`, as the batch store's statements (see its statements.ts: a rolling upgrade may add columns).
const columns = 'id, batch_id, event_sequence, url, status, attempts, last_status_code, last_error, next_attempt_ms, payload, created_at, delivered_at';

const query = compileQueries('webhookDeliveries', {
  insert: `INSERT INTO webhook_deliveries (id, batch_id, event_sequence, url, status, next_attempt_ms, created_at)
    VALUES (:id, :batchId, :eventSequence, :url, 'pending', :nowMs, :now)
    ON CONFLICT (batch_id, event_sequence, url) DO NOTHING`,
  // SKIP LOCKED: two workers claiming at once take different deliveries instead of waiting on each other.
  claimDue: `UPDATE webhook_deliveries SET lease_owner = :owner, lease_expires_ms = :leaseExpiresMs
    WHERE id IN (SELECT id FROM webhook_deliveries
      WHERE status = 'pending' AND next_attempt_ms <= :nowMs AND (lease_expires_ms IS NULL OR lease_expires_ms <= :nowMs)
      ORDER BY next_attempt_ms, created_at LIMIT :limit FOR UPDATE SKIP LOCKED)
    RETURNING ${columns}`,
  recordAttempt: `UPDATE webhook_deliveries SET attempts = attempts + 1, status = :status,
      last_status_code = :statusCode::integer, last_error = :error::text, next_attempt_ms = :nextAttemptMs::bigint,
      payload = COALESCE(payload, :payload), delivered_at = :deliveredAt::timestamptz, lease_owner = NULL, lease_expires_ms = NULL
    WHERE id = :id AND lease_owner = :owner AND status = 'pending' AND lease_expires_ms > :nowMs RETURNING ${columns}`,
  releaseLeases: `UPDATE webhook_deliveries SET lease_owner = NULL, lease_expires_ms = NULL WHERE status = 'pending' AND lease_owner IS NOT NULL`,
  selectOfBatch: `SELECT ${columns} FROM webhook_deliveries WHERE batch_id = :batchId ORDER BY event_sequence, created_at, url`,
});

export interface PostgresWebhookDeliveries extends WebhookDeliveryStore {
  /** Inside the transaction that logs a `batch-end`: one pending delivery per webhook URL of the batch. */
  createForBatchEnd(client: PoolClient, batch: BatchRecord, eventSequence: number): Promise<void>;
}

/** The webhook deliveries table of the PostgreSQL batch store, on its pool and clock. */
export function createPostgresWebhookDeliveries(pool: Pool, now: () => Date, createId: () => string = randomUUID): PostgresWebhookDeliveries {
  return {
    async createForBatchEnd(client, batch, eventSequence) {
      const at = now();
      for (const url of batch.params.webhookUrls ?? []) {
        await run(client, query.insert, { id: newWebhookId(createId), batchId: batch.id, eventSequence, url, nowMs: at.getTime(), now: at.toISOString() });
      }
    },
    async claimDueWebhookDeliveries({ owner, leaseMs, limit = 10 }) {
      const nowMs = now().getTime();
      const { rows } = await inWriteTransaction(pool, (client) =>
        run<DeliveryRow>(client, query.claimDue, { owner, leaseExpiresMs: nowMs + leaseMs, nowMs, limit }),
      );
      return rows.map(toDelivery).sort((left, right) => (left.nextAttemptAtMs ?? 0) - (right.nextAttemptAtMs ?? 0));
    },
    async recordWebhookAttempt(attempt) {
      const at = now();
      const { rows } = await run<DeliveryRow>(pool, query.recordAttempt, {
        id: attempt.id,
        owner: attempt.owner,
        status: attempt.outcome === 'retry' ? 'pending' : attempt.outcome,
        statusCode: attempt.statusCode ?? null,
        error: attempt.error ?? null,
        nextAttemptMs: attempt.outcome === 'retry' ? (attempt.nextAttemptAtMs ?? at.getTime()) : null,
        payload: attempt.payload,
        deliveredAt: attempt.outcome === 'delivered' ? at.toISOString() : null,
        nowMs: at.getTime(),
      });
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },
    async releaseWebhookLeases() {
      return (await run(pool, query.releaseLeases)).rowCount;
    },
    async listWebhookDeliveries(batchId) {
      return (await run<DeliveryRow>(pool, query.selectOfBatch, { batchId })).rows.map(toDelivery);
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
    createdAt: row.created_at.toISOString(),
    ...(row.delivered_at === null ? {} : { deliveredAt: row.delivered_at.toISOString() }),
  };
}
