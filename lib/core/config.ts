import { z } from 'zod';
import { providerErrorKinds } from './errors';

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

const indexList = z
  .string()
  .optional()
  .transform((value, context) => {
    if (!value || value.trim() === '') return [] as number[];
    const parts = value.split(',').map((part) => Number(part.trim()));
    if (parts.some((part) => !Number.isInteger(part) || part < 1)) {
      context.addIssue({ code: 'custom', message: 'must be a comma-separated list of 1-based image indexes, e.g. "2,4"' });
      return z.NEVER;
    }
    return parts;
  });

export const providerIds = ['demo', 'gemini', 'openai'] as const;
export type ProviderId = (typeof providerIds)[number];

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
    /** Which provider generates images. @default `demo` unless a key is set (gemini, then openai). */
    IMAGE_PROVIDER: z.enum(providerIds).optional(),
    GEMINI_API_KEY: optionalString,
    /** @default the SDK's (Google's public endpoint) */
    GEMINI_BASE_URL: optionalString,
    /** Model ids change often: keep them in config. @default `gemini-2.5-flash-image` */
    GEMINI_MODEL: optionalString.transform((value) => value ?? 'gemini-2.5-flash-image'),
    OPENAI_API_KEY: optionalString,
    /** @default the SDK's (OpenAI's public endpoint) */
    OPENAI_BASE_URL: optionalString,
    /** @default `gpt-image-1` */
    OPENAI_IMAGE_MODEL: optionalString.transform((value) => value ?? 'gpt-image-1'),
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
    /** Per-provider overrides of PACING_MODE / PACING_CONCURRENCY / PACING_RPM / PACING_BURST. @default the global ones */
    GEMINI_PACING_MODE: optionalPacingMode,
    GEMINI_PACING_CONCURRENCY: optionalConcurrency,
    GEMINI_PACING_RPM: optionalRequestsPerMinute,
    GEMINI_PACING_BURST: optionalBurst,
    OPENAI_PACING_MODE: optionalPacingMode,
    OPENAI_PACING_CONCURRENCY: optionalConcurrency,
    OPENAI_PACING_RPM: optionalRequestsPerMinute,
    OPENAI_PACING_BURST: optionalBurst,
    /** Attempts per image, first try included. @default 3 */
    RETRY_MAX_ATTEMPTS: integer(3, 1, 10),
    /** First backoff delay; doubles each attempt, with jitter. @default 1000 */
    RETRY_BASE_DELAY_MS: integer(1_000, 0, 600_000),
    /** Cap on any single wait, backoff or provider's Retry-After. @default 60000 */
    RETRY_MAX_DELAY_MS: integer(60_000, 0, 3_600_000),
    /** Demo provider: simulated latency per image. @default 0 */
    DEMO_LATENCY_MS: integer(0, 0, 600_000),
    /** Demo provider: 1-based indexes that fail, e.g. "2,4". @default none */
    DEMO_FAIL_INDEXES: indexList,
    /** Demo provider: how injected failures are classified. @default `safety_blocked` */
    DEMO_FAIL_KIND: z.enum(providerErrorKinds).default('safety_blocked'),
    /** Demo provider: inject failures only when the prompt contains this text. @default always */
    DEMO_FAIL_PROMPT_MATCH: optionalString,
    /**
     * Where batches (`imagegen.sqlite`) and image files (`images/`) are kept; relative paths resolve
     * against the server's working directory. Created when missing.
     * @default `./data`
     */
    DATA_DIR: optionalString.transform((value) => value ?? './data'),
  })
  .transform((env) => ({
    ...env,
    IMAGE_PROVIDER: env.IMAGE_PROVIDER ?? defaultProvider(env.GEMINI_API_KEY, env.OPENAI_API_KEY),
  }));

function defaultProvider(geminiKey: string | undefined, openaiKey: string | undefined): ProviderId {
  if (geminiKey) return 'gemini';
  if (openaiKey) return 'openai';
  return 'demo';
}

export type AppConfig = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a `ConfigError` naming each bad variable (never its value). */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  if (config.IMAGE_PROVIDER === 'gemini' && !config.GEMINI_API_KEY) {
    throw new ConfigError('IMAGE_PROVIDER=gemini needs GEMINI_API_KEY');
  }
  if (config.IMAGE_PROVIDER === 'openai' && !config.OPENAI_API_KEY) {
    throw new ConfigError('IMAGE_PROVIDER=openai needs OPENAI_API_KEY');
  }
  return config;
}
