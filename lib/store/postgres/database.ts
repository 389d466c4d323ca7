import { Pool, types as pgTypes, type PoolClient, type QueryResultRow } from 'pg';

export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:port/database?…` (libpq's URL form). */
  connectionString: string;
  /**
   * Connections the pool opens at most.
   * @default 10
   */
  maxConnections?: number;
  /**
   * How long opening a connection may take before the query fails, in ms.
   * @default 10000
   */
  connectTimeoutMs?: number;
}

const int8TypeId = 20;

/**
 * 64-bit integers (`COUNT(*)`, epoch-millisecond columns) as numbers, not pg's default strings: every
 * such value here is a count or a time in ms, far below 2^53. Set per pool, not on pg's global
 * `types`, so another library in the process keeps pg's defaults.
 */
const typeParsers = {
  getTypeParser: ((typeId: number, format?: 'text' | 'binary') =>
    typeId === int8TypeId && format !== 'binary' ? parseSafeInteger : pgTypes.getTypeParser(typeId, format)) as typeof pgTypes.getTypeParser,
};

function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${text} does not fit a JavaScript number`);
  return value;
}

/**
 * A pool on the database. An idle connection that the server drops (a restart, a network cut) makes
 * the pool emit `error`; without a listener that would end the process, so it is reported instead
 * and the pool opens a new connection on the next query.
 */
export function createPool(options: PostgresConnectionOptions): Pool {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'imagegen',
    types: typeParsers,
  });
  pool.on('error', (error) => {
    console.error(JSON.stringify({ time: new Date().toISOString(), event: 'postgres-idle-connection-error', message: error.message }));
  });
  return pool;
}

/** A query with `:name` parameters (as the SQLite store writes them), compiled to PostgreSQL's `$1, $2, …`. */
export interface NamedQuery {
  /** The prepared statement's name on each connection. */
  name: string;
  text: string;
  parameterNames: readonly string[];
}

/**
 * Compiles `:name` placeholders to `$n` (one number per distinct name), leaving `::type` casts alone.
 * Named statements are prepared once per connection, as the SQLite store prepares its own.
 */
export function compileQueries<Keys extends string>(prefix: string, queries: Record<Keys, string>): Record<Keys, NamedQuery> {
  return Object.fromEntries(
    Object.entries<string>(queries).map(([key, source]) => {
      const parameterNames: string[] = [];
      const text = source.replace(/(?<!:):([a-zA-Z]\w*)/g, (_match, parameterName: string) => {
        const position = parameterNames.indexOf(parameterName);
        if (position !== -1) return `$${position + 1}`;
        parameterNames.push(parameterName);
        return `$${parameterNames.length}`;
      });
      return [key, { name: `${prefix}.${key}`, text, parameterNames }];
    }),
  ) as unknown as Record<Keys, NamedQuery>;
}

/** Anything that runs a query: the pool (one statement, auto-commit) or a client inside a transaction. */
export type Queryable = Pick<PoolClient, 'query'>;

/** Runs a compiled query; every parameter must be given (`null` for SQL NULL), so a typo fails loudly. */
export async function run<Row extends QueryResultRow = QueryResultRow>(
  connection: Queryable,
  query: NamedQuery,
  parameters: Record<string, unknown> = {},
): Promise<{ rows: Row[]; rowCount: number }> {
  const values = query.parameterNames.map((parameterName) => {
    const value = parameters[parameterName];
    if (value === undefined) throw new Error(`Query ${query.name} needs the parameter :${parameterName}`);
    return value;
  });
  const result = await connection.query<Row>({ name: query.name, text: query.text, values });
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

const retryableErrorCodes: ReadonlySet<string> = new Set([
  '40P01', // deadlock_detected: the server aborted this transaction to free another
  '40001', // serialization_failure
]);
const maximumTransactionAttempts = 5;

/**
 * Runs `work` in a READ COMMITTED write transaction on one pooled connection, rolled back when it
 * throws. Writes that change a batch lock its row first (`lockBatch`), so they run one at a time per
 * batch, as SQLite's database-wide write lock makes them. A deadlock or serialization failure (which
 * that lock order should prevent) is retried a few times: the transaction did nothing.
 */
export async function inWriteTransaction<Result>(pool: Pool, work: (client: PoolClient) => Promise<Result>): Promise<Result> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await inTransaction(pool, 'BEGIN', work);
    } catch (error) {
      if (attempt >= maximumTransactionAttempts || !retryableErrorCodes.has(errorCode(error) ?? '')) throw error;
    }
  }
}

/** Runs `work` in a read-only REPEATABLE READ transaction: every query in it sees the same snapshot. */
export function inReadTransaction<Result>(pool: Pool, work: (client: PoolClient) => Promise<Result>): Promise<Result> {
  return inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', work);
}

async function inTransaction<Result>(pool: Pool, begin: string, work: (client: PoolClient) => Promise<Result>): Promise<Result> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // A connection that cannot roll back is in an unknown state: the pool must not hand it out again.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** PostgreSQL's SQLSTATE of a failed query (`23505` for a unique violation, …). */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Ends a pool once: a store's `close` may be called twice. */
export function poolCloser(pool: Pool): () => Promise<void> {
  let ending: Promise<void> | undefined;
  return () => (ending ??= pool.end());
}
