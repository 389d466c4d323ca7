import { describeAccountStoreConformance } from '../testing/account-store-conformance';
import { createPostgresAccountStore } from './postgres-account-store';
import { describeOnTestPostgres } from './testing/test-postgres';

await describeOnTestPostgres('PostgreSQL account store', (useDatabase) => {
  describeAccountStoreConformance('PostgreSQL', async () => {
    const schema = await useDatabase().createSchema();
    return {
      open: ({ now } = {}) => createPostgresAccountStore({ connection: { connectionString: schema.url }, ...(now ? { now } : {}) }),
      dispose: () => schema.drop(),
    };
  });
});
