import { mkdtemp, rm } from 'node:fs/promises';
import type { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, type Migration } from './migrate';
import { batchStoreMigrations } from './migrations';
import { openDatabase } from './open-database';
import { createSqliteBatchStore } from './sqlite-batch-store';

const version1: Migration = { version: 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);' };
const version2: Migration = {
  version: 2,
  name: 'notes-author',
  sql: "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'unknown';",
};

describe('migrate', () => {
  let directory: string;
  let filePath: string;
  const opened: DatabaseSync[] = [];
  const open = () => {
    const database = openDatabase(filePath);
    opened.push(database);
    return database;
  };
  const appliedVersions = (database: DatabaseSync) =>
    database.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all().map((row) => ({ ...row }));

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'imagegen-migrate-'));
    filePath = join(directory, 'test.sqlite');
  });

  afterEach(async () => {
    for (const database of opened.splice(0)) if (database.isOpen) database.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('applies every migration to a new database, then nothing on later runs', () => {
    const database = open();
    expect(migrate(database, [version1, version2])).toEqual({ fromVersion: 0, toVersion: 2 });
    expect(migrate(database, [version1, version2])).toEqual({ fromVersion: 2, toVersion: 2 });
    expect(appliedVersions(database)).toEqual([
      { version: 1, name: 'notes' },
      { version: 2, name: 'notes-author' },
    ]);
  });

  it('upgrades a version 1 database to version 2 and keeps its data', () => {
    const old = open();
    migrate(old, [version1]);
    old.prepare("INSERT INTO notes (text) VALUES ('kept')").run();
    old.close();

    const upgraded = open();
    expect(migrate(upgraded, [version1, version2])).toEqual({ fromVersion: 1, toVersion: 2 });
    expect({ ...upgraded.prepare('SELECT text, author FROM notes').get() }).toEqual({ text: 'kept', author: 'unknown' });
  });

  it('applies nothing when one pending migration fails', () => {
    const database = open();
    const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE extra (id INTEGER); SELECT * FROM missing_table;' };
    expect(() => migrate(database, [version1, broken])).toThrow(/missing_table/);
    expect(database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('notes', 'extra')").all()).toEqual([]);
    expect(database.isTransaction).toBe(false);
    expect(migrate(database, [version1])).toEqual({ fromVersion: 0, toVersion: 1 });
  });

  it('refuses a database newer than the code, and migrations out of order', () => {
    const database = open();
    migrate(database, [version1, version2]);
    expect(() => migrate(database, [version1])).toThrow(/version 2, newer than this code's 1/);
    expect(() => migrate(database, [version2])).toThrow(/expected 1/);
  });

  it('batch store version 2: batches made by the demo before it are flagged demo, with no cost', async () => {
    const old = open();
    migrate(old, batchStoreMigrations.slice(0, 1));
    const insert = old.prepare(`INSERT INTO batches (id, created_at, updated_at, prompt, mode, provider_id, model_id, params, status, total)
      VALUES (?, '2026-01-01', '2026-01-01', 'p', 'text-to-image', ?, 'm', '{"numberOfImages":1}', 'completed', 1)`);
    insert.run('old-demo', 'demo');
    insert.run('old-gemini', 'gemini');
    old.close();

    const upgraded = open();
    migrate(upgraded, batchStoreMigrations);
    const rows = upgraded.prepare('SELECT id, is_demo, cost_usd FROM batches ORDER BY id').all().map((row) => ({ ...row }));
    expect(rows).toEqual([
      { id: 'old-demo', is_demo: 1, cost_usd: 0 },
      { id: 'old-gemini', is_demo: 0, cost_usd: 0 },
    ]);
  });

  it('batch store version 5: a version 4 database keeps its batches, now owned by nobody, and gains the account tables', async () => {
    const old = open();
    migrate(old, batchStoreMigrations.filter((migration) => migration.version <= 4));
    old
      .prepare(`INSERT INTO batches (id, created_at, updated_at, prompt, mode, provider_id, model_id, params, status, total)
        VALUES ('before-accounts', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'p', 'text-to-image', 'demo', 'demo-1', '{"numberOfImages":1}', 'completed', 1)`)
      .run();
    old
      .prepare(`INSERT INTO items (batch_id, item_index, prompt, status, image_id, mime_type, byte_length)
        VALUES ('before-accounts', 1, 'p', 'succeeded', '00000000-0000-4000-8000-000000000001.png', 'image/png', 10)`)
      .run();
    old.close();

    const store = createSqliteBatchStore({ filePath });
    try {
      const batch = await store.getBatch('before-accounts');
      expect(batch).toMatchObject({ id: 'before-accounts', status: 'completed', total: 1 });
      expect(batch).not.toHaveProperty('ownerId');
      expect(batch).not.toHaveProperty('tokenId');
      expect(await store.findImageOwner('00000000-0000-4000-8000-000000000001.png')).toEqual({ ownerId: null });
      expect((await store.listBatches({ ownerId: 'someone' })).batches).toEqual([]);
      expect((await store.listBatches()).batches.map((listed) => listed.id)).toEqual(['before-accounts']);
    } finally {
      await store.close();
    }
    const upgraded = open();
    expect(appliedVersions(upgraded)).toContainEqual({ version: 5, name: 'accounts-tokens-owners' });
    expect({ ...upgraded.prepare("SELECT owner_id, token_id FROM batches WHERE id = 'before-accounts'").get() }).toEqual({ owner_id: null, token_id: null });
    const tables = upgraded.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'sessions', 'api_tokens') ORDER BY name").all();
    expect(tables.map((row) => row.name)).toEqual(['api_tokens', 'sessions', 'users']);
  });

  it('batch store version 6: a version 5 database keeps its images, none a favorite, and can mark and delete them', async () => {
    const old = open();
    migrate(old, batchStoreMigrations.filter((migration) => migration.version <= 5));
    old
      .prepare(`INSERT INTO batches (id, created_at, updated_at, prompt, mode, provider_id, model_id, params, status, total, succeeded)
        VALUES ('before-favorites', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'p', 'text-to-image', 'demo', 'demo-1', '{"numberOfImages":2}', 'completed', 2, 2)`)
      .run();
    for (const index of [1, 2]) {
      old
        .prepare(`INSERT INTO items (batch_id, item_index, prompt, status, image_id, mime_type, byte_length)
          VALUES ('before-favorites', ${index}, 'p', 'succeeded', '00000000-0000-4000-8000-00000000000${index}.png', 'image/png', 10)`)
        .run();
    }
    old.close();

    const store = createSqliteBatchStore({ filePath });
    try {
      const batch = (await store.getBatch('before-favorites'))!;
      expect(batch.items.map((item) => [item.isFavorite, item.imageDeletedAt, item.image?.byteLength])).toEqual([
        [undefined, undefined, 10],
        [undefined, undefined, 10],
      ]);
      expect(await store.setItemFavorite({ batchId: 'before-favorites', index: 1, isFavorite: true })).toMatchObject({ isFavorite: true });
      expect((await store.deleteItemImage('before-favorites', 2)).imageIds).toEqual(['00000000-0000-4000-8000-000000000002.png']);
      expect((await store.listBatches({ onlyWithFavorites: true })).batches.map((listed) => listed.id)).toEqual(['before-favorites']);
    } finally {
      await store.close();
    }
    expect(appliedVersions(open())).toContainEqual({ version: 6, name: 'favorites-deleted-images' });
  });

  it('batch store version 7: a version 6 database gets webhook deliveries; its batches have none and can end with some', async () => {
    const old = open();
    migrate(old, batchStoreMigrations.filter((migration) => migration.version <= 6));
    old
      .prepare(`INSERT INTO batches (id, created_at, updated_at, prompt, mode, provider_id, model_id, params, status, total)
        VALUES ('before-webhooks', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'p', 'text-to-image', 'demo', 'demo-1',
          '{"numberOfImages":1,"webhookUrls":["https://hooks.example.org/"]}', 'queued', 1)`)
      .run();
    old.prepare(`INSERT INTO items (batch_id, item_index, prompt, status) VALUES ('before-webhooks', 1, 'p', 'queued')`).run();
    old.close();

    const store = createSqliteBatchStore({ filePath });
    try {
      expect(await store.listWebhookDeliveries('before-webhooks')).toEqual([]);
      await store.startItem({ batchId: 'before-webhooks', index: 1 });
      await store.finishItem({ batchId: 'before-webhooks', index: 1, result: { status: 'canceled' }, attemptsInRun: 0 });
      expect(await store.listWebhookDeliveries('before-webhooks')).toMatchObject([{ url: 'https://hooks.example.org/', status: 'pending' }]);
    } finally {
      await store.close();
    }
    expect(appliedVersions(open())).toContainEqual({ version: 7, name: 'webhook-deliveries' });
  });

  it('leaves the batch store schema at its latest version after reopening the store', async () => {
    for (let run = 0; run < 2; run += 1) await createSqliteBatchStore({ filePath }).close();
    const database = open();
    expect(appliedVersions(database).map((row) => row.version)).toEqual(batchStoreMigrations.map((migration) => migration.version));
  });
});

describe('openDatabase', () => {
  it('turns on WAL, full synchronous writes, foreign keys and the busy timeout', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'imagegen-open-'));
    try {
      const database = openDatabase(join(directory, 'test.sqlite'), { busyTimeoutMs: 1234 });
      const pragma = (name: string) => Object.values(database.prepare(`PRAGMA ${name}`).get() ?? {})[0];
      expect(pragma('journal_mode')).toBe('wal');
      expect(pragma('synchronous')).toBe(2);
      expect(pragma('foreign_keys')).toBe(1);
      expect(pragma('busy_timeout')).toBe(1234);
      database.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
