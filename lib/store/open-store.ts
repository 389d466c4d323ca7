import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AccountStore } from './account-store';
import type { BatchStore } from './batch-store';
import type { BlobStore } from './blob-store';
import { createFileBlobStore } from './file-blob-store';
import { createSqliteAccountStore } from './sqlite/sqlite-account-store';
import { createSqliteBatchStore } from './sqlite/sqlite-batch-store';

export interface OpenStoreOptions {
  /**
   * Where the data lives: `imagegen.sqlite` (batches, items, events) and `images/` (image files).
   * Created when missing. Relative paths resolve against the working directory.
   * @default './data' (the server passes DATA_DIR)
   */
  dataDirectory?: string;
  /**
   * How long a database write waits for another process's lock before failing.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /**
   * This process is the only one using the data directory (the embedded server): every temporary
   * file left by an interrupted write is removed at open, not only those older than an hour (which
   * another process might still be writing).
   * @default false
   */
  isSoleProcess?: boolean;
  /**
   * A PostgreSQL connection string (`postgres://…`): batches, events and accounts live there instead of
   * in `imagegen.sqlite` (migrated on open, pooled connections); images stay under `dataDirectory`.
   * @default none: the embedded SQLite file (the server passes DATABASE_URL)
   */
  databaseUrl?: string;
}

export interface Store {
  batches: BatchStore;
  blobs: BlobStore;
  /** Users, sessions and API tokens, in the same database. */
  accounts: AccountStore;
  /** Closes the database. */
  close(): Promise<void>;
}

export const databaseFileName = 'imagegen.sqlite';
export const imagesDirectoryName = 'images';

/** Opens the store: migrates the schema (SQLite, or PostgreSQL with `databaseUrl`) and prepares the image directory. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  // turbopackIgnore: a path known only at run time; without it the build traces the whole project.
  const dataDirectory = resolve(/*turbopackIgnore: true*/ options.dataDirectory ?? 'data');
  await mkdir(dataDirectory, { recursive: true });
  const blobs = await createFileBlobStore({
    directory: join(dataDirectory, imagesDirectoryName),
    ...(options.isSoleProcess ? { staleTemporaryFileAgeMs: 0 } : {}),
  });
  if (options.databaseUrl) {
    // Loaded only when asked for: the embedded default never loads pg.
    const { createPostgresStores } = await import('./postgres/postgres-stores');
    const { batches, accounts, close } = await createPostgresStores({ connectionString: options.databaseUrl });
    return { batches, blobs, accounts, close };
  }
  const filePath = join(dataDirectory, databaseFileName);
  const batches = createSqliteBatchStore({ filePath, busyTimeoutMs: options.busyTimeoutMs });
  let accounts: AccountStore;
  try {
    accounts = createSqliteAccountStore({ filePath, busyTimeoutMs: options.busyTimeoutMs });
  } catch (error) {
    await batches.close();
    throw error;
  }
  return {
    batches,
    blobs,
    accounts,
    close: async () => {
      await accounts.close();
      await batches.close();
    },
  };
}
