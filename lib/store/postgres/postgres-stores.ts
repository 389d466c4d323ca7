import type { AccountStore } from '../account-store';
import type { BatchStore } from '../batch-store';
import { createPool, poolCloser, type PostgresConnectionOptions } from './database';
import { migrate } from './migrate';
import { postgresMigrations } from './migrations';
import { createPostgresAccountStore } from './postgres-account-store';
import { createPostgresBatchStore } from './postgres-batch-store';

export interface PostgresStoresOptions extends PostgresConnectionOptions {
  /** @default () => new Date() */
  now?: () => Date;
}

export interface PostgresStores {
  batches: BatchStore;
  accounts: AccountStore;
  /** Ends the shared pool. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The batch and account stores on one PostgreSQL database, sharing one pool: migrates the schema once
 * (safe while other processes start too), then hands out both stores. Their own `close` leaves the
 * pool to this `close`.
 */
export async function createPostgresStores(options: PostgresStoresOptions): Promise<PostgresStores> {
  const { now, ...connection } = options;
  const pool = createPool(connection);
  const close = poolCloser(pool);
  try {
    await migrate(pool, postgresMigrations, now);
    const shared = { connection: { pool }, migrate: false, ...(now ? { now } : {}) };
    const batches = await createPostgresBatchStore(shared);
    const accounts = await createPostgresAccountStore(shared);
    return { batches, accounts, close };
  } catch (error) {
    await close();
    throw error;
  }
}
