import type { Pool } from 'pg';
import { inWriteTransaction } from './database';

/** One step of the schema. Versions start at 1 and follow each other; a released step never changes. */
export interface Migration {
  version: number;
  /** For people reading `schema_migrations`, e.g. `batches-items-events`. */
  name: string;
  /** SQL statements, run in the migration's transaction (PostgreSQL's DDL is transactional). */
  sql: string;
}

export interface MigrationOutcome {
  /** The schema version found (0 for a new database). */
  fromVersion: number;
  /** The schema version now. */
  toVersion: number;
}

/**
 * Serialises migrations across every process on the database. A transaction-level advisory lock is
 * released by COMMIT or ROLLBACK, so a process killed mid-migration never leaves it held.
 */
const migrationLock = `SELECT pg_advisory_xact_lock(hashtext('imagegen schema_migrations'))`;

/**
 * Brings the database to the latest version in one transaction: the pending migrations all apply or
 * none does. Idempotent (run it at every start-up), and safe when several processes start at once: the
 * advisory lock makes the others wait, and they then read the version the first one committed (under
 * READ COMMITTED each statement sees what was committed before it began). Refuses a database whose
 * version is newer than this code knows, rather than writing to a schema it does not understand.
 * Works in the first schema of the connection's `search_path`.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[], now: () => Date = () => new Date()): Promise<MigrationOutcome> {
  assertSequential(migrations);
  return inWriteTransaction(pool, async (client) => {
    await client.query(migrationLock);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ(3) NOT NULL
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations');
    const fromVersion = rows[0]!.version;
    const latestVersion = migrations.at(-1)?.version ?? 0;
    if (fromVersion > latestVersion) {
      throw new Error(`The database schema is at version ${fromVersion}, newer than this code's ${latestVersion}: upgrade the application`);
    }
    for (const migration of migrations.filter((candidate) => candidate.version > fromVersion)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        now().toISOString(),
      ]);
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
