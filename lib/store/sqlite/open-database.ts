import { DatabaseSync } from 'node:sqlite';

export interface OpenDatabaseOptions {
  /**
   * How long a statement waits for another connection's lock before failing with SQLITE_BUSY.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) a SQLite database tuned for a store that must not lose what it
 * acknowledged: WAL (readers never block the writer), `synchronous = FULL` (a committed
 * transaction survives a power cut, not only a crash), foreign keys enforced.
 */
export function openDatabase(filePath: string, options: OpenDatabaseOptions = {}): DatabaseSync {
  const database = new DatabaseSync(filePath, {
    enableForeignKeyConstraints: true,
    timeout: options.busyTimeoutMs ?? 5_000,
  });
  try {
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = FULL');
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}
