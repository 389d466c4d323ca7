import type { Migration } from './migrate';

/**
 * The batch store's schema, oldest first. Append new versions; never edit a released one.
 *
 * Notes on version 1:
 * - `batches.position` orders batches by creation (newest-first pages, ties impossible), while
 *   `id` is the random public id.
 * - `last_served_turn` is the scheduler's round-robin clock: 0 until an item of the batch starts,
 *   then one more than any batch's, so the least recently served batch comes first.
 * - `last_event_sequence` hands out event sequences under the row's write lock: 1, 2, 3, … per batch.
 * - Counters (`succeeded`, `failed`, `canceled`) and `status` are recomputed from the items in the
 *   same transaction as any item change.
 */
export const batchStoreMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'batches-items-events',
    sql: `
      CREATE TABLE batches (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        prompt TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('text-to-image', 'image-to-image')),
        provider_id TEXT NOT NULL,
        model_id TEXT NOT NULL,
        params TEXT NOT NULL CHECK (json_valid(params)),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'partial', 'failed', 'canceled')),
        total INTEGER NOT NULL CHECK (total > 0),
        succeeded INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        canceled INTEGER NOT NULL DEFAULT 0,
        last_served_turn INTEGER NOT NULL DEFAULT 0,
        last_event_sequence INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX batches_by_served_turn ON batches (last_served_turn);
      CREATE INDEX batches_unfinished ON batches (last_served_turn, position) WHERE status IN ('queued', 'running');

      CREATE TABLE items (
        batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
        item_index INTEGER NOT NULL CHECK (item_index >= 1),
        prompt TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT,
        error_message TEXT,
        error_details TEXT,
        image_id TEXT,
        mime_type TEXT,
        byte_length INTEGER,
        started_at TEXT,
        ended_at TEXT,
        PRIMARY KEY (batch_id, item_index)
      ) WITHOUT ROWID;
      CREATE INDEX items_by_status ON items (status, batch_id, item_index);

      CREATE TABLE batch_events (
        batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
        sequence INTEGER NOT NULL CHECK (sequence >= 1),
        type TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        created_at TEXT NOT NULL,
        PRIMARY KEY (batch_id, sequence)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'demo-flag-usage-cost',
    // `is_demo` is the provider descriptor's flag, kept with the batch so a batch stays labelled even
    // if the server's providers change. `usage` is the provider's report (JSON); `cost_usd` what the
    // image cost, summed into `batches.cost_usd` with the other counters.
    sql: `
      ALTER TABLE batches ADD COLUMN is_demo INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE batches ADD COLUMN cost_usd REAL NOT NULL DEFAULT 0;
      UPDATE batches SET is_demo = 1 WHERE provider_id = 'demo';
      ALTER TABLE items ADD COLUMN usage TEXT CHECK (usage IS NULL OR json_valid(usage));
      ALTER TABLE items ADD COLUMN cost_usd REAL;
    `,
  },
  {
    version: 3,
    name: 'retry-later-leases',
    // `not_before_ms`: a retried item waits in the queue, not in a worker, until then (epoch ms).
    // `run_attempts`: calls in the current run (the retry policy's count; a batch retry resets it).
    // `lease_owner` / `lease_expires_ms`: the worker that claimed a running item, until when; an
    // expired lease means that worker is gone and the item goes back to the queue.
    // `error_retry_after_ms` / `error_retry_stop`: the provider's wait hint, and why retrying stopped.
    sql: `
      ALTER TABLE items ADD COLUMN not_before_ms INTEGER;
      ALTER TABLE items ADD COLUMN run_attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE items ADD COLUMN lease_owner TEXT;
      ALTER TABLE items ADD COLUMN lease_expires_ms INTEGER;
      ALTER TABLE items ADD COLUMN error_retry_after_ms INTEGER;
      ALTER TABLE items ADD COLUMN error_retry_stop TEXT;
      CREATE INDEX items_by_lease ON items (lease_expires_ms) WHERE status = 'running';
    `,
  },
  {
    version: 4,
    name: 'call-in-flight',
    // Set with the `item-start` that announces a provider call, cleared when the attempt is
    // recorded: an item recovered after a crash with it set made a call that counts in `attempts`.
    sql: `ALTER TABLE items ADD COLUMN call_in_flight INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 5,
    name: 'accounts-tokens-owners',
    // Accounts: users (password hashed with Argon2id), sign-in sessions and API tokens (each stored
    // as the SHA-256 of its secret: the secret itself is shown once and never kept). A batch records
    // who created it (owner_id: NULL when accounts were off) and with which token (token_id), for
    // visibility, quotas and fair share. No foreign keys to users: deleting a user keeps the batches
    // (an admin still sees them).
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
        quota TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(quota)),
        created_at TEXT NOT NULL
      );
      CREATE TABLE sessions (
        secret_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sessions_by_user ON sessions (user_id);
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        quota TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(quota)),
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
      ALTER TABLE batches ADD COLUMN owner_id TEXT;
      ALTER TABLE batches ADD COLUMN token_id TEXT;
      CREATE INDEX batches_by_owner ON batches (owner_id, position);
      CREATE INDEX batches_by_owner_turn ON batches (owner_id, last_served_turn);
      CREATE INDEX items_by_image ON items (image_id) WHERE image_id IS NOT NULL;
      CREATE INDEX batches_by_token ON batches (token_id, position) WHERE token_id IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: 'favorites-deleted-images',
    // `favorite`: the owner keeps this image (the favorites filter; retention keeps its batch).
    // `image_deleted_at`: the owner deleted this one image; the item stays succeeded, its image
    // columns are cleared (so usage no longer counts it) and its file is gone.
    sql: `
      ALTER TABLE items ADD COLUMN favorite INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE items ADD COLUMN image_deleted_at TEXT;
      CREATE INDEX items_favorites ON items (batch_id) WHERE favorite = 1;
    `,
  },
  {
    version: 7,
    name: 'webhook-deliveries',
    // One row per webhook target per `batch-end`, inserted in that event's transaction. `payload`
    // is the body as first sent (later attempts resend the same bytes under the same id);
    // `lease_owner` / `lease_expires_ms` hold a delivery for one worker while it sends it.
    sql: `
      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
        event_sequence INTEGER NOT NULL,
        url TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status_code INTEGER,
        last_error TEXT,
        next_attempt_ms INTEGER,
        lease_owner TEXT,
        lease_expires_ms INTEGER,
        payload TEXT,
        created_at TEXT NOT NULL,
        delivered_at TEXT,
        UNIQUE (batch_id, event_sequence, url)
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms) WHERE status = 'pending';
    `,
  },
  {
    version: 8,
    name: 'item-seed',
    // The seed an image was made with: the one asked for (the batch's seed + index - 1), or the one
    // a local diffusion server chose and reported (A1111, ComfyUI): the image can be made again.
    sql: `ALTER TABLE items ADD COLUMN seed INTEGER;`,
  },
];
