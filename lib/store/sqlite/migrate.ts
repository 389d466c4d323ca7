import type { DatabaseSync } from 'node:sqlite';
import { inWriteTransaction } from './transaction';

/** One step of the schema. Versions start at 1 and follow each other; a released step never changes. */
export interface Migration {
  version: number;
  /** For people reading `schema_migrations`, e.g. `batches-items-events`. */
  name: string;
  /** SQL statements, run in the migration's transaction. */
  sql: string;
}

export interface MigrationOutcome {
  /** The schema version found (0 for a new database). */
  fromVersion: number;
  /** The schema version now. */
  toVersion: number;
}

/**
 * Brings the database to the latest version in one write transaction: the pending migrations
 * all apply or none does. Idempotent (run it at every start-up), and safe when two processes
 * start at once (the second waits for the lock, then finds nothing to do). Refuses a database
 * whose version is newer than this code knows, rather than writing to a schema it does not understand.
 */
export function migrate(database: DatabaseSync, migrations: readonly Migration[], now: () => Date = () => new Date()): MigrationOutcome {
  assertSequential(migrations);
  return inWriteTransaction(database, () => {
    database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const row = database.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').get() as { version: number };
    const fromVersion = row.version;
    const latestVersion = migrations.at(-1)?.version ?? 0;
    if (fromVersion > latestVersion) {
      throw new Error(`The database schema is at version ${fromVersion}, newer than this code's ${latestVersion}: upgrade the application`);
    }
    const record = database.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (:version, :name, :appliedAt)');
    for (const migration of migrations.filter((candidate) => candidate.version > fromVersion)) {
      database.exec(migration.sql);
      record.run({ version: migration.version, name: migration.name, appliedAt: now().toISOString() });
    }
    return { fromVersion, toVersion: Math.max(fromVersion, latestVersion) };
  });
}

function assertSequential(migrations: readonly Migration[]): void {
  migrations.forEach((migration, position) => {
    if (migration.version !== position + 1) {
      throw new Error(`Migration "${migration.name}" has version ${migration.version}; expected ${position + 1}`);
    }
  });
}
