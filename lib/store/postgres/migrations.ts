import type { Migration } from './migrate';

/**
 * The PostgreSQL store's schema, oldest first. Append new versions; never edit a released one.
 * Version 1 is the SQLite store's schema at its version 5, in PostgreSQL's types:
 *
 * - Times the records show (`created_at`, `started_at`, …) are `TIMESTAMPTZ(3)`: compared as times,
 *   not strings, and kept to the millisecond, so `toISOString()` gives back exactly what SQLite keeps.
 *   Times the scheduler compares with a clock (`not_before_ms`, `lease_expires_ms`, `expires_ms`) stay
 *   epoch milliseconds, as the interface speaks them.
 * - JSON that queries look into (`params`: the estimated cost for quotas, input image ids for image
 *   ownership; `quota`) and the provider's `usage` are JSONB: validated once, indexable (the GIN index
 *   on input images). The event log's `payload` is JSON (text, validated): it is written once and
 *   replayed as is, so it keeps its key order and costs no conversion.
 * - `last_served_turn` comes from the `served_turns` sequence: each start of an item moves its batch
 *   behind every other, as SQLite's "MAX + 1" does under its database lock, without a lock here (a
 *   sequence never hands out the same number twice, and later calls get larger numbers).
 * - `last_event_sequence` hands out event sequences under the batch row's lock: 1, 2, 3, … per batch.
 * - Usernames are unique without case through a unique index on `lower(username)`.
 * - No foreign keys from batches to users: deleting a user keeps the batches (an admin still sees them).
 */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'batches-items-events-accounts',
    sql: `
      CREATE SEQUENCE served_turns;

      CREATE TABLE batches (
        position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TIMESTAMPTZ(3) NOT NULL,
        updated_at TIMESTAMPTZ(3) NOT NULL,
        prompt TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('text-to-image', 'image-to-image')),
        provider_id TEXT NOT NULL,
        model_id TEXT NOT NULL,
        is_demo BOOLEAN NOT NULL DEFAULT FALSE,
        params JSONB NOT NULL CHECK (jsonb_typeof(params) = 'object'),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'partial', 'failed', 'canceled')),
        total INTEGER NOT NULL CHECK (total > 0),
        succeeded INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        canceled INTEGER NOT NULL DEFAULT 0,
        cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
        last_served_turn BIGINT NOT NULL DEFAULT 0,
        last_event_sequence INTEGER NOT NULL DEFAULT 0,
        owner_id TEXT,
        token_id TEXT
      );
      CREATE INDEX batches_unfinished ON batches (last_served_turn, position) WHERE status IN ('queued', 'running');
      CREATE INDEX batches_by_owner ON batches (owner_id, position);
      CREATE INDEX batches_by_owner_turn ON batches (owner_id, last_served_turn);
      CREATE INDEX batches_by_token ON batches (token_id, position) WHERE token_id IS NOT NULL;
      CREATE INDEX batches_by_input_image ON batches USING GIN ((params -> 'inputImages') jsonb_path_ops);
      CREATE INDEX batches_by_single_input_image ON batches ((params -> 'inputImage' ->> 'imageId')) WHERE params ? 'inputImage';

      CREATE TABLE items (
        batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
        item_index INTEGER NOT NULL CHECK (item_index >= 1),
        prompt TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        run_attempts INTEGER NOT NULL DEFAULT 0,
        call_in_flight BOOLEAN NOT NULL DEFAULT FALSE,
        not_before_ms BIGINT,
        lease_owner TEXT,
        lease_expires_ms BIGINT,
        error_kind TEXT,
        error_message TEXT,
        error_details TEXT,
        error_retry_after_ms BIGINT,
        error_retry_stop TEXT,
        image_id TEXT,
        mime_type TEXT,
        byte_length BIGINT,
        usage JSONB,
        cost_usd DOUBLE PRECISION,
        started_at TIMESTAMPTZ(3),
        ended_at TIMESTAMPTZ(3),
        PRIMARY KEY (batch_id, item_index)
      );
      CREATE INDEX items_by_status ON items (status, batch_id, item_index);
      CREATE INDEX items_by_lease ON items (lease_expires_ms) WHERE status = 'running';
      CREATE INDEX items_by_image ON items (image_id) WHERE image_id IS NOT NULL;

      CREATE TABLE batch_events (
        batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
        sequence INTEGER NOT NULL CHECK (sequence >= 1),
        type TEXT NOT NULL,
        payload JSON NOT NULL,
        created_at TIMESTAMPTZ(3) NOT NULL,
        PRIMARY KEY (batch_id, sequence)
      );

      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
        quota JSONB NOT NULL DEFAULT '{}',
        created_at TIMESTAMPTZ(3) NOT NULL
      );
      CREATE UNIQUE INDEX users_by_username ON users (lower(username));

      CREATE TABLE sessions (
        secret_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ(3) NOT NULL,
        expires_ms BIGINT NOT NULL
      );
      CREATE INDEX sessions_by_user ON sessions (user_id);
      CREATE INDEX sessions_by_expiry ON sessions (expires_ms);

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        quota JSONB NOT NULL DEFAULT '{}',
        created_at TIMESTAMPTZ(3) NOT NULL,
        last_used_at TIMESTAMPTZ(3),
        revoked_at TIMESTAMPTZ(3)
      );
      CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
    `,
  },
  {
    version: 2,
    name: 'favorites-deleted-images',
    // The SQLite store's version 6: `favorite` (the favorites filter; retention keeps its batch) and
    // `image_deleted_at` (the owner deleted this one image: the item stays succeeded, its image
    // columns are cleared and its file is gone).
    sql: `
      ALTER TABLE items ADD COLUMN favorite BOOLEAN NOT NULL DEFAULT FALSE;
      ALTER TABLE items ADD COLUMN image_deleted_at TIMESTAMPTZ(3);
      CREATE INDEX items_favorites ON items (batch_id) WHERE favorite;
    `,
  },
  {
    version: 3,
    name: 'webhook-deliveries',
    // The SQLite store's version 7: one row per webhook target per `batch-end`, inserted in that
    // event's transaction; `payload` is the body as first sent; the lease holds a delivery for one
    // worker while it sends it (claimed with SKIP LOCKED, so workers never wait on each other).
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
        next_attempt_ms BIGINT,
        lease_owner TEXT,
        lease_expires_ms BIGINT,
        payload TEXT,
        created_at TIMESTAMPTZ(3) NOT NULL,
        delivered_at TIMESTAMPTZ(3),
        UNIQUE (batch_id, event_sequence, url)
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_by_batch ON webhook_deliveries (batch_id);
    `,
  },
  {
    version: 4,
    name: 'item-seed',
    // The SQLite store's version 8: the seed an image was made with (ComfyUI's random seeds go up to 2^48).
    sql: `ALTER TABLE items ADD COLUMN seed BIGINT;`,
  },
];
