import { z } from 'zod';
import { AppError, isAppError } from './app-error';

/**
 * Configuration from environment variables, parsed once at start-up.
 * Every option documents its default; units are in the names.
 */

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const integer = (defaultValue: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

/** A provider's id (`gemini`, `openai`, `demo`, …): the registry in lib/providers lists the known ones. */
export type ProviderId = string;

/**
 * How calls to one provider are paced: `sequential` (one at a time, the seed's), `fixed` (a set
 * concurrency and request rate), `adaptive` (learned from the provider's 429s and rate-limit headers).
 */
export const pacingModes = ['sequential', 'fixed', 'adaptive'] as const;
export type PacingMode = (typeof pacingModes)[number];

const optionalPacingMode = optionalString.pipe(z.enum(pacingModes).optional());
const optionalRequestsPerMinute = optionalString.pipe(z.coerce.number<string>().positive().max(1_000_000).optional());
const optionalConcurrency = optionalString.pipe(z.coerce.number<string>().int().min(1).max(64).optional());
const optionalBurst = optionalString.pipe(z.coerce.number<string>().int().min(1).max(1_000).optional());

export const configSchema = z
  .object({
    /**
     * Which provider a request that names none gets: one of the registry's ids, and it must be
     * configured. @default the first configured of gemini, openai, openrouter, a1111, comfyui, then `demo`
     */
    IMAGE_PROVIDER: optionalString,
    /** Timeout of one provider call. @default 180000 (3 minutes) */
    PROVIDER_TIMEOUT_MS: integer(180_000, 1_000, 3_600_000),
    /** Calls in flight at once per provider. @default 1 (the seed's sequential pacing) */
    PACING_CONCURRENCY: integer(1, 1, 64),
    /** Minimum time between two request starts to one provider. @default 500 */
    PACING_MIN_INTERVAL_MS: integer(500, 0, 600_000),
    /**
     * `sequential` (concurrency 1, PACING_MIN_INTERVAL_MS apart), `fixed` (PACING_CONCURRENCY in flight,
     * starts 60000/PACING_RPM ms apart) or `adaptive` (learns the provider's quota).
     * @default `fixed` when PACING_CONCURRENCY > 1 or PACING_RPM is set, else `sequential`
     */
    PACING_MODE: optionalPacingMode,
    /**
     * Requests per minute per provider. `fixed`: the start rate (overrides PACING_MIN_INTERVAL_MS);
     * `adaptive`: a ceiling it never exceeds. @default none
     */
    PACING_RPM: optionalRequestsPerMinute,
    /** `adaptive`: the most calls in flight it may reach per provider. @default 16 */
    PACING_MAX_CONCURRENCY: integer(16, 1, 64),
    /**
     * `fixed`: starts that may come together after a quiet spell, at the same average rate (any
     * BURST + 1 consecutive starts span BURST intervals): set it to the quota's bucket size when
     * the provider allows bursts. @default 1 (evenly spaced)
     */
    PACING_BURST: optionalBurst,
    /** Attempts per image, first try included. @default 3 */
    RETRY_MAX_ATTEMPTS: integer(3, 1, 10),
    /** First backoff delay; doubles each attempt, with jitter. @default 1000 */
    RETRY_BASE_DELAY_MS: integer(1_000, 0, 600_000),
    /** Cap on any single wait, backoff or provider's Retry-After. @default 60000 */
    RETRY_MAX_DELAY_MS: integer(60_000, 0, 3_600_000),
    /**
     * Finished batches older than this many days (since their last change) are deleted with their
     * images by the worker, hourly. @default none: batches are kept until deleted
     */
    RETENTION_DAYS: optionalString.pipe(z.coerce.number<string>().positive().max(36_500).optional()),
    /**
     * Where batches (`imagegen.sqlite`) and image files (`images/`) are kept; relative paths resolve
     * against the server's working directory. Created when missing.
     * @default `./data`
     */
    DATA_DIR: optionalString.transform((value) => value ?? './data'),
    /**
     * `postgres://user:password@host:5432/database`: batches, events and accounts in PostgreSQL
     * (migrated at start, pooled connections) instead of `imagegen.sqlite` under DATA_DIR. Other
     * processes may share it: a starting worker then requeues only items whose lease has expired.
     * @default none: the embedded SQLite file
     */
    DATABASE_URL: optionalString.refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      message: 'must be a postgres:// or postgresql:// connection string (unset keeps the embedded SQLite file)',
    }),
    /**
     * `redis://host:6379`: live events, cancels and "new work" cross processes over Redis pub/sub,
     * so web nodes and workers sharing DATABASE_URL act as one. @default none: one process
     */
    REDIS_URL: optionalString.refine((value) => value === undefined || /^rediss?:\/\//.test(value), {
      message: 'must be a redis:// or rediss:// URL (unset keeps events and cancels in this process)',
    }),
    /**
     * Channel and key names in Redis start with this: processes with the same REDIS_URL, prefix and
     * database act as one cluster (two clusters may share one Redis under different prefixes).
     * Letters, digits and `._:-`. @default `imagegen`
     */
    REDIS_PREFIX: optionalString.pipe(z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1–100 letters, digits or ._:-').optional()),
    /**
     * How long a worker's claim on an item lasts without renewal (renewed every third of it while
     * the call runs): after a worker dies, its items go back to the queue once this has passed.
     * Longer than any pause the worker's event loop may take. @default 60000
     */
    QUEUE_LEASE_MS: integer(60_000, 1_000, 3_600_000),
    /**
     * How often an idle worker looks at the queue when nothing woke it, and requeues the items of
     * workers whose lease expired. @default 5000
     */
    QUEUE_SAFETY_POLL_MS: integer(5_000, 100, 600_000),
    /**
     * With REDIS_URL: how long a shared lane's slot (a call in flight) lasts without renewal (renewed
     * every third of it, at most once a second): a killed worker's slots free themselves after this.
     * Keep it longer than a call the provider may still be running after the worker died.
     * @default 30000
     */
    LANE_SLOT_LEASE_MS: integer(30_000, 3_000, 3_600_000),
    /**
     * Images this process's worker generates at once, over all providers (each provider's
     * PACING_CONCURRENCY still holds for the whole cluster): with several workers sharing a lane,
     * each takes at most this many of its slots, and claims no more items than it runs.
     * @default none: up to each provider's PACING_CONCURRENCY
     */
    WORKER_CONCURRENCY: optionalString.pipe(z.coerce.number<string>().int().min(1).max(1_000).optional()),
    /** `off`: this process serves the app and API but runs no worker (`npm run worker` runs one). @default on */
    WORKER: optionalString.pipe(z.enum(['on', 'off']).optional()).transform((value) => value ?? 'on'),
    /**
     * `s3://bucket/prefix`: image bytes on S3-compatible storage, one object per image, instead of
     * `images/` under DATA_DIR (the database stays under DATA_DIR). Credentials, region and endpoint
     * come from the standard variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, and
     * AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) for MinIO, Ceph RGW, R2 …, which also turns on
     * path-style addressing (AWS_S3_FORCE_PATH_STYLE=true|false overrides it).
     * @default none: image files under DATA_DIR
     */
    /**
     * Where the end of every batch (each run's end: a retried batch ends again) is POSTed, besides
     * a batch's own `webhookUrl`. Checked like a batch's: http(s), public addresses unless
     * WEBHOOK_ALLOW_PRIVATE. @default none
     */
    WEBHOOK_URL: optionalString.refine((value) => value === undefined || /^https?:\/\/[^/]/i.test(value), {
      message: 'must be an http:// or https:// URL',
    }),
    /**
     * Signs each webhook (Standard Webhooks: HMAC-SHA256 in `webhook-signature`): `whsec_<base64>`
     * or any other string, taken as its UTF-8 bytes. @default none: webhooks are sent unsigned
     */
    WEBHOOK_SECRET: optionalString,
    /** `1`: webhooks may go to loopback and private addresses (a receiver on this machine or the LAN). @default off */
    WEBHOOK_ALLOW_PRIVATE: optionalString.pipe(z.enum(['0', '1', 'true', 'false']).optional()).transform((value) => value === '1' || value === 'true'),
    /** The receiver has this long to answer an attempt; no answer is a failed attempt. @default 10000 */
    WEBHOOK_TIMEOUT_MS: integer(10_000, 100, 120_000),
    /**
     * Waits after each failed attempt, a comma list of ms; its length + 1 is the number of attempts.
     * @default 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h (11 attempts over about a day)
     */
    WEBHOOK_RETRY_DELAYS_MS: optionalString.pipe(
      z
        .string()
        .regex(/^\d+(\s*,\s*\d+)*$/, 'must be a comma list of whole milliseconds')
        .transform((value) => value.split(',').map((delay) => Number(delay.trim())))
        .optional(),
    ),
    BLOB_STORE_URL: optionalString.refine((value) => value === undefined || value.startsWith('s3://'), {
      message: 'must be s3://bucket or s3://bucket/prefix (unset keeps images under DATA_DIR)',
    }),
  })
;

export type AppConfig = z.output<typeof configSchema>;

/** A bad environment: names each bad variable, never its value. Recognise it with `isConfigError`. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('ConfigError', message);
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return isAppError(error, 'ConfigError');
}

/** Parses the environment; throws a `ConfigError` naming each bad variable (never its value). */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  return config;
}

/**
 * A provider's own pacing variables, `<ID>_PACING_MODE`, `<ID>_PACING_CONCURRENCY`,
 * `<ID>_PACING_RPM`, `<ID>_PACING_BURST` (`GEMINI_PACING_RPM=10`): read for any provider id, so a
 * new provider needs no change here. Each falls back to the global `PACING_*` variable.
 */
export interface PacingOverrides {
  mode?: PacingMode;
  concurrency?: number;
  requestsPerMinute?: number;
  burst?: number;
}

export function loadPacingOverrides(env: Record<string, string | undefined>, providerId: string): PacingOverrides {
  const prefix = `${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PACING_`;
  const schema = z.object({
    [`${prefix}MODE`]: optionalPacingMode,
    [`${prefix}CONCURRENCY`]: optionalConcurrency,
    [`${prefix}RPM`]: optionalRequestsPerMinute,
    [`${prefix}BURST`]: optionalBurst,
  });
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data as Record<string, unknown>;
  const overrides: PacingOverrides = {};
  if (values[`${prefix}MODE`] !== undefined) overrides.mode = values[`${prefix}MODE`] as PacingMode;
  if (values[`${prefix}CONCURRENCY`] !== undefined) overrides.concurrency = values[`${prefix}CONCURRENCY`] as number;
  if (values[`${prefix}RPM`] !== undefined) overrides.requestsPerMinute = values[`${prefix}RPM`] as number;
  if (values[`${prefix}BURST`] !== undefined) overrides.burst = values[`${prefix}BURST`] as number;
  return overrides;
}
