import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from '@/lib/store/postgres/testing/test-postgres';
import { startS3TestServer, type S3TestServer } from '@/lib/store/s3/testing/s3-test-server';

/**
 * A cluster on one machine, as README "Scaling out" runs it: web processes (`WORKER=off`, the batch
 * API of lib/server/testing/batch-server-process.ts on node:http) and worker processes (`npm run
 * worker`'s scripts/worker.ts), each a real Node process, all on one fresh PostgreSQL database, one
 * Redis under a key prefix of their own, and one S3 bucket on a real S3-compatible server (s3rver,
 * in a child process). No test-runner imports: the multi-process test and the bench both use it.
 */

const hooksPath = fileURLToPath(new URL('./typescript-hooks.mjs', import.meta.url));
const entries = {
  web: fileURLToPath(new URL('./batch-server-process.ts', import.meta.url)),
  worker: fileURLToPath(new URL('../../../scripts/worker.ts', import.meta.url)),
};

/** The Redis the tests use. @default 'redis://127.0.0.1:6379' */
export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Undefined when Redis answers a PING within 2 s, else why not, in words. */
export async function checkTestRedis(): Promise<string | undefined> {
  const client = new Redis(testRedisUrl, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${testRedisUrl} is not reachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    client.disconnect();
  }
}

export interface ClusterServices {
  /** What every process of the cluster gets: DATABASE_URL, REDIS_URL, REDIS_PREFIX, BLOB_STORE_URL, AWS_*, DATA_DIR. */
  env: Record<string, string>;
  database: TestDatabase;
  s3: S3TestServer;
  bucket: string;
  /** The blob store's key prefix in the bucket (`images/`). */
  keyPrefix: string;
  redisPrefix: string;
  /** The image objects in the bucket (write probes left out), sorted. */
  listImageKeys(): Promise<string[]>;
  /** Drops the database, stops s3rver, deletes the prefix's Redis keys and the data directory. */
  stop(): Promise<void>;
}

/** A fresh database, bucket and Redis prefix; `stop()` removes them all. */
export async function startClusterServices(): Promise<ClusterServices> {
  const suffix = randomBytes(6).toString('hex');
  const bucket = `imagegen-cluster-${suffix}`;
  const keyPrefix = 'images/';
  const redisPrefix = `imagegen-test-${suffix}`;
  const dataDirectory = await mkdtemp(join(tmpdir(), 'imagegen-cluster-'));
  const database = await createTestDatabase();
  let s3: S3TestServer;
  try {
    s3 = await startS3TestServer();
    await s3.createBucket(bucket);
    // s3rver (a file-backed store) removes a key's directory once it is empty after a delete; a put
    // into that directory at the same moment then fails inside s3rver with ENOENT, an unhandled error
    // that kills it. Every process's start-up probe (`checkWritable`: put then delete) does exactly
    // that at once, so the prefix keeps one object for the test's life (hidden, as the probes are).
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${keyPrefix}.keep`, Body: '' }));
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: redisPrefix,
      BLOB_STORE_URL: `s3://${bucket}/${keyPrefix}`,
      ...s3.env,
      // Nothing is written there with the URLs above; set so that no process writes under ./data.
      DATA_DIR: dataDirectory,
    },
    database,
    s3,
    bucket,
    keyPrefix,
    redisPrefix,
    async listImageKeys() {
      return (await s3.listKeys(bucket, keyPrefix)).filter((key) => !key.slice(keyPrefix.length).startsWith('.'));
    },
    async stop() {
      await s3.stop().catch(() => undefined);
      await database.drop().catch(() => undefined);
      await deleteRedisKeys(redisPrefix).catch(() => undefined);
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const client = new Redis(testRedisUrl, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export type ClusterRole = 'web' | 'worker';

export interface ClusterProcess {
  role: ClusterRole;
  name: string;
  child: ChildProcess;
  pid: number;
  /** Web processes: `http://127.0.0.1:<port>`. */
  baseUrl?: string;
  /** Whether it is still running. */
  isRunning(): boolean;
  /** The last lines it wrote (stdout's JSON logs and stderr), for a failure's message. */
  output(): string;
  /** `kill -9`: no shutdown code runs, exactly like a crash or a power cut. */
  killHard(): Promise<void>;
  /** SIGTERM (a worker lets go of its connections), SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a web or worker process with these variables (on top of this process's environment, provider
 * keys cleared, logs on: a worker says `worker-started` when it is ready) and resolves once it is
 * ready: a web process when it listens, a worker once its queue has started.
 */
export async function startClusterProcess(role: ClusterRole, name: string, env: Record<string, string>, startTimeoutMs = 120_000): Promise<ClusterProcess> {
  const child = spawn(process.execPath, ['--import', hooksPath, entries[role]], {
    env: { ...process.env, GEMINI_API_KEY: '', OPENAI_API_KEY: '', LOG_LEVEL: 'info', ...(role === 'web' ? { WORKER: 'off' } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
  };
  createInterface({ input: child.stderr! }).on('line', (line) => keep(`stderr: ${line}`));
  const stdout = createInterface({ input: child.stdout! });
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const killHard = async () => {
    if (isRunning()) child.kill('SIGKILL');
    await exited;
  };

  let port: number | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${startTimeoutMs} ms:\n${lines.join('\n')}`)), startTimeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${lines.join('\n')}`));
      });
      stdout.on('line', (line) => {
        keep(line);
        let message: { event?: string; port?: number };
        try {
          message = JSON.parse(line) as typeof message;
        } catch {
          return;
        }
        if (role === 'web' && message.event === 'listening' && message.port) {
          port = message.port;
          clearTimeout(timer);
          resolve();
        } else if (role === 'worker' && message.event === 'worker-started') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    await killHard();
    throw error;
  }

  return {
    role,
    name,
    child,
    pid: child.pid!,
    ...(port === undefined ? {} : { baseUrl: `http://127.0.0.1:${port}` }),
    isRunning,
    output: () => lines.join('\n'),
    killHard,
    async stop(graceMs = 5_000) {
      if (!isRunning()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
