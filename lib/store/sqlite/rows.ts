import type { GenerationMode, ImageUsage, ItemError } from '@/lib/core';
import type { BatchEvent, BatchParams, BatchRecord, ItemRecord, ItemStatus, StoredBatchStatus } from '../batch-records';

/** Rows as SQLite returns them (snake_case columns), and their mapping to records. */

export interface BatchRow {
  position: number;
  id: string;
  created_at: string;
  updated_at: string;
  prompt: string;
  mode: GenerationMode;
  provider_id: string;
  model_id: string;
  is_demo: number;
  cost_usd: number;
  params: string;
  status: StoredBatchStatus;
  total: number;
  succeeded: number;
  failed: number;
  canceled: number;
  last_event_sequence: number;
  owner_id: string | null;
  token_id: string | null;
}

export interface ItemRow {
  batch_id: string;
  item_index: number;
  prompt: string;
  status: ItemStatus;
  attempts: number;
  error_kind: ItemError['kind'] | null;
  error_message: string | null;
  error_details: string | null;
  image_id: string | null;
  mime_type: string | null;
  byte_length: number | null;
  started_at: string | null;
  ended_at: string | null;
  usage: string | null;
  cost_usd: number | null;
  run_attempts: number;
  not_before_ms: number | null;
  error_retry_after_ms: number | null;
  error_retry_stop: ItemError['retryStop'] | null;
  favorite: number;
  image_deleted_at: string | null;
  seed: number | null;
}

export function toBatchRecord(row: BatchRow): BatchRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    prompt: row.prompt,
    mode: row.mode,
    providerId: row.provider_id,
    modelId: row.model_id,
    isDemo: row.is_demo === 1,
    costUsd: row.cost_usd,
    // Written by this store from a typed value; the column is CHECKed to be JSON.
    params: JSON.parse(row.params) as BatchParams,
    status: row.status,
    total: row.total,
    succeeded: row.succeeded,
    failed: row.failed,
    canceled: row.canceled,
    lastEventSequence: row.last_event_sequence,
    ...(row.owner_id === null ? {} : { ownerId: row.owner_id }),
    ...(row.token_id === null ? {} : { tokenId: row.token_id }),
  };
}

export function toItemRecord(row: ItemRow): ItemRecord {
  return {
    batchId: row.batch_id,
    index: row.item_index,
    prompt: row.prompt,
    status: row.status,
    attempts: row.attempts,
    runAttempts: row.run_attempts,
    ...(row.not_before_ms === null ? {} : { notBeforeMs: row.not_before_ms }),
    ...(row.error_kind === null
      ? {}
      : {
          error: {
            kind: row.error_kind,
            message: row.error_message ?? '',
            ...(row.error_details === null ? {} : { details: row.error_details }),
            ...(row.error_retry_after_ms === null ? {} : { retryAfterMs: row.error_retry_after_ms }),
            ...(row.error_retry_stop === null ? {} : { retryStop: row.error_retry_stop }),
          },
        }),
    ...(row.image_id === null
      ? {}
      : { image: { imageId: row.image_id, mimeType: row.mime_type ?? 'application/octet-stream', byteLength: row.byte_length ?? 0 } }),
    // Written by this store from a typed value; the column is CHECKed to be JSON.
    ...(row.usage === null ? {} : { usage: JSON.parse(row.usage) as ImageUsage }),
    ...(row.cost_usd === null ? {} : { costUsd: row.cost_usd }),
    ...(row.seed === null ? {} : { seed: row.seed }),
    ...(row.started_at === null ? {} : { startedAt: row.started_at }),
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    ...(row.favorite === 1 ? { isFavorite: true as const } : {}),
    ...(row.image_deleted_at === null ? {} : { imageDeletedAt: row.image_deleted_at }),
  };
}

export function toBatchEvent(row: { payload: string }): BatchEvent {
  // Written by this store from a typed, stamped event; the column is CHECKed to be JSON.
  return JSON.parse(row.payload) as BatchEvent;
}
