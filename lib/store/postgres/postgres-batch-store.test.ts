import { describeBatchStoreConformance } from '../testing/batch-store-conformance';
import { createPostgresBatchStore } from './postgres-batch-store';
import { describeOnTestPostgres } from './testing/test-postgres';

await describeOnTestPostgres('PostgreSQL batch store', (useDatabase) => {
  // A fresh schema per test; every `open` is a store with its own pool (two real pools for openAnother).
  describeBatchStoreConformance('PostgreSQL', async () => {
    const schema = await useDatabase().createSchema();
    return {
      open: () => createPostgresBatchStore({ connection: { connectionString: schema.url } }),
      dispose: () => schema.drop(),
    };
  });
});
