import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';

/**
 * The PostgreSQL server the tests use, as an administrator connection (it creates and drops a database
 * per test file). Development and CI machines run one at 127.0.0.1:5432 with trust auth.
 * @default 'postgres://postgres@127.0.0.1:5432/test'
 */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether a missing service fails the tests instead of skipping them: `.ci/run` sets
 * `REQUIRE_SERVICES=postgres,redis`, so CI cannot pass without the suites that need them.
 */
export function isServiceRequired(service: string): boolean {
  return (process.env.REQUIRE_SERVICES ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .includes(service);
}

export type PostgresAvailability = { isAvailable: true } | { isAvailable: false; reason: string };

/** Connects once (2 s at most) to tell whether the suites can run, and if not, why, in words. */
export async function checkTestPostgres(): Promise<PostgresAvailability> {
  const client = new Client({ connectionString: testPostgresUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { isAvailable: true };
  } catch (error) {
    return { isAvailable: false, reason: `PostgreSQL at ${redact(testPostgresUrl)} is not reachable (${describeError(error)})` };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The verdict for a test file: runs, or prints one line saying which suite is skipped and why (never
 * a silent pass). When REQUIRE_SERVICES names postgres, the caller turns a skip into a failing test.
 */
export async function postgresForSuite(suiteName: string): Promise<PostgresAvailability & { isRequired: boolean }> {
  const availability = await checkTestPostgres();
  const isRequired = isServiceRequired('postgres');
  if (!availability.isAvailable) {
    const verdict = isRequired ? 'FAILS (REQUIRE_SERVICES names postgres)' : 'SKIPPED';
    console.warn(`[${suiteName}] ${verdict}: ${availability.reason}. Set TEST_DATABASE_URL to a server where this user may create databases.`);
  }
  return { ...availability, isRequired };
}

/**
 * Declares a test file's suites on a database of its own (created before them, dropped after them):
 * `define` registers them, reading the database through `useDatabase` once they run. Without a
 * reachable server they are skipped with a line saying why, or, when REQUIRE_SERVICES names postgres,
 * replaced by one failing test that says why.
 */
export async function describeOnTestPostgres(suiteName: string, define: (useDatabase: () => TestDatabase) => void): Promise<void> {
  const postgres = await postgresForSuite(suiteName);
  if (!postgres.isAvailable && postgres.isRequired) {
    describe(suiteName, () => {
      it('needs PostgreSQL (REQUIRE_SERVICES names postgres)', () => {
        throw new Error(postgres.reason);
      });
    });
    return;
  }
  describe.skipIf(!postgres.isAvailable)(postgres.isAvailable ? suiteName : `${suiteName} (skipped: ${postgres.reason})`, () => {
    let database: TestDatabase | undefined;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(async () => {
      await database?.drop();
    });
    define(() => {
      if (!database) throw new Error('The test database is created before the suites run');
      return database;
    });
  });
}

/** A database of the test file's own, under a random name; `drop` removes it whatever is still connected. */
export interface TestDatabase {
  name: string;
  url: string;
  /**
   * A fresh, empty schema in this database and a URL whose connections use it (`search_path`): a new
   * namespace per test in tens of milliseconds, where CREATE plus DROP DATABASE takes over a second.
   */
  createSchema(): Promise<{ url: string; drop(): Promise<void> }>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `imagegen_test_${randomBytes(6).toString('hex')}`;
  await administer(testPostgresUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(testPostgresUrl, name);
  return {
    name,
    url,
    async createSchema() {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      await administer(url, `CREATE SCHEMA ${schema}`);
      const schemaUrl = new URL(url);
      schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
      return { url: schemaUrl.toString(), drop: () => administer(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
    },
    drop: () => administer(testPostgresUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function administer(connectionString: string, statement: string): Promise<void> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

function redact(connectionString: string): string {
  const url = new URL(connectionString);
  if (url.password) url.password = '***';
  return url.toString();
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describeError).join('; ');
  return error instanceof Error ? error.message || error.name : String(error);
}
