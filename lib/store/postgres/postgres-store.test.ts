import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchStore } from '../batch-store';
import { databaseFileName, openStore } from '../open-store';
import { sampleBatch, succeeded } from '../testing/conformance-context';
import { createPool } from './database';
import { migrate, type Migration } from './migrate';
import { postgresMigrations } from './migrations';
import { createPostgresAccountStore } from './postgres-account-store';
import { createPostgresBatchStore } from './postgres-batch-store';
import { createPostgresStores } from './postgres-stores';
import { describeOnTestPostgres } from './testing/test-postgres';

const version1: Migration = { version: 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);' };
const version2: Migration = { version: 2, name: 'notes-author', sql: "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'unknown';" };

await describeOnTestPostgres('PostgreSQL store', (useDatabase) => {
  let schema: { url: string; drop(): Promise<void> };
  const pools: Pool[] = [];
  const closables: { close(): Promise<void> }[] = [];
  const openPool = () => {
    const pool = createPool({ connectionString: schema.url });
    pools.push(pool);
    return pool;
  };
  const openBatchStore = async (): Promise<BatchStore> => {
    const store = await createPostgresBatchStore({ connection: { connectionString: schema.url } });
    closables.push(store);
    return store;
  };
  const appliedVersions = async (pool: Pool) =>
    (await pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows.map((row) => ({
      ...row,
    }));

  beforeEach(async () => {
    schema = await useDatabase().createSchema();
  });

  afterEach(async () => {
    for (const closable of closables.splice(0)) await closable.close();
    for (const pool of pools.splice(0)) await pool.end();
    await schema.drop();
  });

  describe('migrate', () => {
    it('applies every migration to a new schema, then nothing on later runs', async () => {
      const pool = openPool();
      expect(await migrate(pool, [version1, version2])).toEqual({ fromVersion: 0, toVersion: 2 });
      expect(await migrate(pool, [version1, version2])).toEqual({ fromVersion: 2, toVersion: 2 });
      expect(await appliedVersions(pool)).toEqual([
        { version: 1, name: 'notes' },
        { version: 2, name: 'notes-author' },
      ]);
    });

    it('upgrades a version 1 schema to version 2 and keeps its data', async () => {
      const pool = openPool();
      await migrate(pool, [version1]);
      await pool.query("INSERT INTO notes (id, text) VALUES (1, 'kept')");
      expect(await migrate(openPool(), [version1, version2])).toEqual({ fromVersion: 1, toVersion: 2 });
      expect((await pool.query('SELECT text, author FROM notes')).rows).toEqual([{ text: 'kept', author: 'unknown' }]);
    });

    it('applies nothing when one pending migration fails', async () => {
      const pool = openPool();
      const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE extra (id INTEGER); SELECT * FROM missing_table;' };
      await expect(migrate(pool, [version1, broken])).rejects.toThrow(/missing_table/);
      expect((await pool.query("SELECT to_regclass('notes') AS notes, to_regclass('extra') AS extra")).rows).toEqual([{ notes: null, extra: null }]);
      expect(await migrate(pool, [version1])).toEqual({ fromVersion: 0, toVersion: 1 });
    });

    it('refuses a schema newer than the code, and migrations out of order', async () => {
      const pool = openPool();
      await migrate(pool, [version1, version2]);
      await expect(migrate(pool, [version1])).rejects.toThrow(/version 2, newer than this code's 1/);
      await expect(migrate(pool, [version2])).rejects.toThrow(/expected 1/);
    });

    it('lets several processes start on a new database at once: one migrates, the others find it done', async () => {
      const outcomes = await Promise.all(Array.from({ length: 4 }, () => migrate(openPool(), postgresMigrations)));

      const latest = postgresMigrations.at(-1)!.version;
      expect(outcomes.filter((outcome) => outcome.fromVersion === 0)).toHaveLength(1);
      expect(outcomes.every((outcome) => outcome.toVersion === latest)).toBe(true);
      expect((await appliedVersions(openPool())).map((row) => row.version)).toEqual(postgresMigrations.map((migration) => migration.version));
    });

    it('refuses to open a store on a schema from a newer version of the application', async () => {
      const pool = openPool();
      await migrate(pool, postgresMigrations);
      await pool.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from-the-future', now())");
      await expect(createPostgresBatchStore({ connection: { connectionString: schema.url } })).rejects.toThrow(/newer than this code's/);
    });

    it('keeps serving after a newer process adds columns (its prepared statements name their columns)', async () => {
      const store = await openBatchStore();
      const accounts = await createPostgresAccountStore({ connection: { connectionString: schema.url } });
      closables.push(accounts);
      const batch = await store.createBatch(sampleBatch({ itemCount: 1 }));
      const user = await accounts.createUser({ username: 'ada', passwordHash: '$argon2id$x', role: 'user' });
      // Every statement prepared on the pool's one idle connection before the schema changes.
      await store.getBatch(batch.id);
      await store.listRunnableItems();
      await accounts.getUser(user.id);

      const pool = openPool();
      await pool.query('ALTER TABLE batches ADD COLUMN added_later TEXT; ALTER TABLE items ADD COLUMN added_later TEXT; ALTER TABLE users ADD COLUMN added_later TEXT');

      expect((await store.getBatch(batch.id))?.items).toHaveLength(1);
      expect(await store.listRunnableItems()).toHaveLength(1);
      expect(await store.startItem({ batchId: batch.id, index: 1 })).toBeDefined();
      expect(await accounts.getUser(user.id)).toEqual(user);
    });
  });

  describe('under concurrent workers (two pools)', () => {
    it('lets exactly one of many workers claim an item', async () => {
      const [first, second] = [await openBatchStore(), await openBatchStore()];
      const batch = await first.createBatch(sampleBatch({ itemCount: 1 }));
      const event = { type: 'item-start', index: 1, attempt: 1, etaMs: null } as const;

      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, position) =>
          (position % 2 ? first : second).startItem({ batchId: batch.id, index: 1, event, lease: { owner: `worker-${position}`, expiresAtMs: Date.now() + 60_000 } }),
        ),
      );

      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await first.listEvents(batch.id)).toHaveLength(1);
    });

    it('finishes a batch from many connections at once: right counters, gapless events, one batch-end last', async () => {
      const [first, second] = [await openBatchStore(), await openBatchStore()];
      const itemCount = 16;
      const batch = await first.createBatch(sampleBatch({ itemCount }));
      const storeFor = (index: number) => (index % 2 ? first : second);
      const indexes = Array.from({ length: itemCount }, (_, position) => position + 1);

      await Promise.all(
        indexes.map((index) => storeFor(index).startItem({ batchId: batch.id, index, event: { type: 'item-start', index, attempt: 1, etaMs: null } })),
      );
      const finishes = await Promise.all(
        indexes.map((index) =>
          storeFor(index).finishItem({
            batchId: batch.id,
            index,
            result: succeeded(String(index)),
            attemptsInRun: 1,
            event: { type: 'item-end', index, status: 'succeeded', etaMs: null },
          }),
        ),
      );

      expect(finishes.filter((change) => change.batchEnd)).toHaveLength(1);
      const events = await second.listEvents(batch.id);
      expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: 2 * itemCount + 1 }, (_, position) => position + 1));
      expect(events.at(-1)).toMatchObject({ type: 'batch-end', status: 'completed', completed: itemCount });
      // Each item-end carries the counters as they stood after its own change: 1, 2, … completed.
      expect(events.filter((event) => event.type === 'item-end').map((event) => event.completed)).toEqual(indexes);
      expect(await first.getBatch(batch.id)).toMatchObject({ status: 'completed', succeeded: itemCount, lastEventSequence: 2 * itemCount + 1 });
    });

    it('cancels while workers finish: every item ends once, and the batch ends once', async () => {
      const [first, second] = [await openBatchStore(), await openBatchStore()];
      const batch = await first.createBatch(sampleBatch({ itemCount: 6 }));
      for (const index of [1, 2, 3]) await first.startItem({ batchId: batch.id, index });

      const [canceled, ...finished] = await Promise.all([
        second.cancelQueuedItems(batch.id),
        ...[1, 2, 3].map((index) => first.finishItem({ batchId: batch.id, index, result: succeeded(String(index)), attemptsInRun: 1 })),
      ]);

      expect(canceled.count).toBe(3);
      const batchEnds = (await first.listEvents(batch.id)).filter((event) => event.type === 'batch-end');
      expect(batchEnds).toEqual([expect.objectContaining({ status: 'canceled', completed: 3 })]);
      expect([...canceled.events, ...finished.map((change) => change.batchEnd)].filter((event) => event?.type === 'batch-end')).toHaveLength(1);
    });
  });

  describe('createPostgresStores', () => {
    it('opens the batch and account stores on one pool, migrated once, closed once', async () => {
      const stores = await createPostgresStores({ connectionString: schema.url });
      closables.push(stores);
      const user = await stores.accounts.createUser({ username: 'ada', passwordHash: '$argon2id$x', role: 'admin' });
      const batch = await stores.batches.createBatch(sampleBatch({ ownerId: user.id }));

      expect((await stores.batches.listBatches({ ownerId: user.id })).batches.map((listed) => listed.id)).toEqual([batch.id]);
      // A store's own close leaves the shared pool open for the other one.
      await stores.batches.close();
      expect(await stores.accounts.countUsers()).toBe(1);
      await stores.close();
      await expect(stores.close()).resolves.toBeUndefined();
      await expect(stores.accounts.countUsers()).rejects.toThrow();
    });

    it('keeps record times as ISO strings to the millisecond, as the SQLite store does', async () => {
      const fixed = new Date('2026-05-04T03:02:01.987Z');
      const stores = await createPostgresStores({ connectionString: schema.url, now: () => fixed });
      closables.push(stores);
      const batch = await stores.batches.createBatch(sampleBatch({ itemCount: 1 }));
      const started = await stores.batches.startItem({ batchId: batch.id, index: 1 });
      const user = await stores.accounts.createUser({ username: 'grace', passwordHash: '$argon2id$x', role: 'user' });
      await stores.close();

      expect([batch.createdAt, batch.updatedAt, started?.item.startedAt, user.createdAt]).toEqual(Array(4).fill('2026-05-04T03:02:01.987Z'));
    });

    it('is what openStore opens with a databaseUrl: batches in PostgreSQL, images still in files, no SQLite file', async () => {
      const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-open-postgres-'));
      try {
        const first = await openStore({ dataDirectory, databaseUrl: schema.url });
        closables.push(first);
        const batch = await first.batches.createBatch(sampleBatch({ itemCount: 1 }));
        const image = await first.blobs.put(new Uint8Array([1, 2, 3, 4]), 'application/octet-stream');
        await first.close();

        const second = await openStore({ dataDirectory, databaseUrl: schema.url });
        closables.push(second);
        expect((await second.batches.getBatch(batch.id))?.total).toBe(1);
        expect((await second.blobs.open(image.imageId)).byteLength).toBe(4);
        expect(existsSync(join(dataDirectory, databaseFileName))).toBe(false);
      } finally {
        await rm(dataDirectory, { recursive: true, force: true });
      }
    });
  });
});
