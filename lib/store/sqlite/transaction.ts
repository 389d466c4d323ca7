import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `work` in a write transaction. `BEGIN IMMEDIATE` takes the write lock up front, so two
 * connections never both read and then fail to upgrade (SQLITE_BUSY mid-transaction); a waiting
 * connection waits up to the busy timeout instead. Rolls back when `work` throws.
 */
export function inWriteTransaction<Result>(database: DatabaseSync, work: () => Result): Result {
  return inTransaction(database, 'BEGIN IMMEDIATE', work);
}

/** Runs `work` in a read transaction: every query in it sees the same snapshot of the database. */
export function inReadTransaction<Result>(database: DatabaseSync, work: () => Result): Result {
  return inTransaction(database, 'BEGIN DEFERRED', work);
}

function inTransaction<Result>(database: DatabaseSync, begin: string, work: () => Result): Result {
  // Nesting would silently join the outer transaction's fate; it is always a bug here.
  if (database.isTransaction) throw new Error('A transaction is already open on this connection');
  database.exec(begin);
  try {
    const result = work();
    database.exec('COMMIT');
    return result;
  } catch (error) {
    if (database.isTransaction) database.exec('ROLLBACK');
    throw error;
  }
}
