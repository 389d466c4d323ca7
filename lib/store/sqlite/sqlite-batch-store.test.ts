import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBatchStoreConformance } from '../testing/batch-store-conformance';
import { createSqliteBatchStore } from './sqlite-batch-store';

describeBatchStoreConformance('SQLite', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'imagegen-sqlite-store-'));
  return {
    open: async () => createSqliteBatchStore({ filePath: join(directory, 'imagegen.sqlite') }),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
});
