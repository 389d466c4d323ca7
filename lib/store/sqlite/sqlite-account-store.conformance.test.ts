import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeAccountStoreConformance } from '../testing/account-store-conformance';
import { createSqliteAccountStore } from './sqlite-account-store';

describeAccountStoreConformance('SQLite', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'imagegen-sqlite-accounts-'));
  return {
    open: async ({ now } = {}) => createSqliteAccountStore({ filePath: join(directory, 'imagegen.sqlite'), ...(now ? { now } : {}) }),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
});
