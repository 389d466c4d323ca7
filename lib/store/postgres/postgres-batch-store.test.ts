import { afterAll, beforeAll, describe, it } from 'vitest';
import { describeBatchStoreConformance } from '../testing/batch-store-conformance';
import { createPostgresBatchStore } from './postgres-batch-store';
import { createTestDatabase, postgresForSuite, type TestDatabase } from './testing/test-postgres';

const postgres = await postgresForSuite('PostgreSQL batch store');

if (!postgres.isAvailable && postgres.isRequired) {
  describe('BatchStore conformance: PostgreSQL', () => {
    it('needs PostgreSQL (REQUIRE_SERVICES names postgres)', () => {
      throw new Error(postgres.reason);
    });
  });
}

describe.skipIf(!postgres.isAvailable)(postgres.isAvailable ? 'PostgreSQL' : `PostgreSQL (skipped: ${postgres.reason})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  // A fresh schema per test; every `open` is a store with its own pool (two real pools for openAnother).
  describeBatchStoreConformance('PostgreSQL', async () => {
    const schema = await database.createSchema();
    return {
      open: () => createPostgresBatchStore({ connection: { connectionString: schema.url } }),
      dispose: () => schema.drop(),
    };
  });
});
