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
   * `s3://bucket/prefix`: the images on S3-compatible storage, one object per image, instead of
   * `images/` under the data directory (the database stays there). The client reads the `AWS_*`
   * variables of `env` (lib/store/s3/s3-client-config.ts); a missing bucket or refused credentials
   * fail here, with a `ConfigError`.
   * @default none: image files under the data directory (the server passes BLOB_STORE_URL)
   */
  blobStoreUrl?: string;
  /** Where an S3 blob store reads its `AWS_*` variables. @default process.env */
  env?: Record<string, string | undefined>;
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
  const { blobs, closeBlobs } = await openBlobStore(options, dataDirectory);
  if (options.databaseUrl) {
    // Loaded only when asked for: the embedded default never loads pg.
    const { createPostgresStores } = await import('./postgres/postgres-stores');
    let postgres: Awaited<ReturnType<typeof createPostgresStores>>;
    try {
      postgres = await createPostgresStores({ connectionString: options.databaseUrl });
    } catch (error) {
      await closeBlobs();
      throw error;
    }
    return {
      batches: postgres.batches,
      blobs,
      accounts: postgres.accounts,
      close: async () => {
        await postgres.close();
        await closeBlobs();
      },
    };
  }
  const filePath = join(dataDirectory, databaseFileName);
  let batches: BatchStore;
  let accounts: AccountStore;
  try {
    batches = createSqliteBatchStore({ filePath, busyTimeoutMs: options.busyTimeoutMs });
    try {
      accounts = createSqliteAccountStore({ filePath, busyTimeoutMs: options.busyTimeoutMs });
    } catch (error) {
      await batches.close();
      throw error;
    }
  } catch (error) {
    await closeBlobs();
    throw error;
  }
  return {
    batches,
    blobs,
    accounts,
    close: async () => {
      await accounts.close();
      await batches.close();
      await closeBlobs();
    },
  };
}

async function openBlobStore(options: OpenStoreOptions, dataDirectory: string): Promise<{ blobs: BlobStore; closeBlobs(): Promise<void> }> {
  if (options.blobStoreUrl !== undefined) {
    // Loaded only when asked for: the embedded default never pays for the AWS SDK.
    const { createBlobStoreFromUrl } = await import('./s3');
    const blobs = await createBlobStoreFromUrl(options.blobStoreUrl, options.env ?? process.env);
    return { blobs, closeBlobs: () => blobs.close() };
  }
  const blobs = await createFileBlobStore({
    directory: join(dataDirectory, imagesDirectoryName),
    ...(options.isSoleProcess ? { staleTemporaryFileAgeMs: 0 } : {}),
  });
  return { blobs, closeBlobs: async () => undefined };
}
