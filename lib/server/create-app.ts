import { allowsModel, ConfigError, loadConfig, loadPacingOverrides, type AppConfig, type ImageProvider, type ModelInfo, type ProviderInfo, type ProvidersCatalog } from '@/lib/core';
import { createPacedLane, pacingSettingsFor, type Lane, type PacingSettings, type RetryPolicy } from '@/lib/engine';
import { loadProviders, ProviderConfigError, type ConfiguredProvider } from '@/lib/providers';
import { createBatchQueue, type BatchQueue } from '@/lib/queue';
import type { RedisPorts } from '@/lib/queue/redis/redis-ports';
import { openStore, type Store } from '@/lib/store';
import { accountSettingsFrom, authenticate, openAccounts, type Accounts, type Principal } from './accounts';
import { InputError } from './input-error';
import { logEvent } from './logger';
import { requestGuardSettingsFrom } from './request-guard';
import { createWebhookSigner, defaultWebhookRetryDelaysMs, sendWebhook, startWebhookDeliverer, type SignWebhook, type WebhookDeliverer } from './webhooks';

/** The durable side of the app: the store under DATA_DIR and the queue whose worker runs in this process. */
export interface BatchRuntime {
  store: Store;
  queue: BatchQueue;
  /** Lets go of the cross-process connections (Redis), if any. */
  closeCrossProcess(): Promise<void>;
  /** Users, sessions, tokens, and whether requests must sign in. */
  accounts: Accounts;
  /** This worker's webhook delivery loop (none with WORKER=off). */
  webhooks?: WebhookDeliverer;
}

/** A provider and one of its models, ready to call. */
export interface ResolvedModel {
  provider: ImageProvider;
  providerInfo: ProviderInfo;
  model: ModelInfo;
}

/** Everything the server needs, wired once from the environment. */
export interface App {
  config: AppConfig;
  /** The provider used when a request names none (IMAGE_PROVIDER, else the first configured). */
  defaultProviderId: string;
  /** The configured providers and their models, as `GET /api/providers` shows them (no keys, no URLs). */
  catalog(): ProvidersCatalog;
  /**
   * The provider and model a request asked for (each defaults to the server's default); a 400
   * InputError naming `provider` or `model` when this server does not offer it.
   */
  resolveModel(providerId?: string, modelId?: string): ResolvedModel;
  /** The default model's adapter of a provider (or of the default provider). */
  resolveProvider(providerId?: string): ImageProvider;
  /** One lane per provider and model, shared by every batch on it: the pacing lives there. */
  laneFor(provider: ImageProvider): Lane;
  retryPolicy: RetryPolicy;
  /** PUBLIC_URL's origin, when set: image URLs in webhooks are made absolute with it. */
  publicOrigin?: string;
  /** Signs webhook deliveries with WEBHOOK_SECRET (unsigned without it). */
  signWebhook: SignWebhook;
  /**
   * Opens the store (DATA_DIR) and starts the queue's worker, once: later calls share the same
   * runtime. The worker recovers what a crash left running, then serves queued batches.
   */
  batches(): Promise<BatchRuntime>;
  /** Stops the worker (items in flight are requeued at the next start) and closes the store. */
  close(): Promise<void>;
}

/** The default provider when IMAGE_PROVIDER is unset: a real one with a key (or a URL, for a local server), else the demo. */
const defaultProviderPreference = ['gemini', 'openai', 'openrouter', 'a1111', 'comfyui', 'demo'];

export interface CreateAppOptions {
  /** False for `npm run worker`: no page, so no setup link in its log. @default true */
  servesHttp?: boolean;
  /**
   * True for the `imagegen` command: a server may be running on the same DATA_DIR (SQLite), so this
   * process requeues only items whose lease expired (never the server's running ones) and keeps the
   * temporary files another process may still be writing. @default false
   */
  sharesDataDirectory?: boolean;
}

export function createApp(env: Record<string, string | undefined> = process.env, { servesHttp = true, sharesDataDirectory = false }: CreateAppOptions = {}): App {
  const config = loadConfig(env);
  const providers = loadProvidersOrThrow(env, config);
  const defaultProviderId = chooseDefaultProvider(config, providers);
  const lanes = new Map<string, Lane>();
  const signWebhook = createSignerOrThrow(config.WEBHOOK_SECRET);
  const { publicOrigin } = requestGuardSettingsFrom(env);
  let runtime: Promise<BatchRuntime> | undefined;
  /** With REDIS_URL: the connections every process's lanes share (set when the runtime opens). */
  let sharedLanes: RedisPorts | undefined;

  const configuredProvider = (providerId: string): ConfiguredProvider => {
    const provider = providers.get(providerId);
    if (!provider) {
      const known = [...providers.values()].filter((entry) => entry.info.configured).map((entry) => entry.info.id);
      throw new InputError(`Unknown provider "${providerId}": this server offers ${known.join(', ')}.`, { field: 'provider' });
    }
    if (!provider.info.configured) {
      throw new InputError(`Provider "${providerId}" is not configured on this server: ${provider.descriptor.configureHint}.`, {
        field: 'provider',
      });
    }
    return provider;
  };

  const app: App = {
    config,
    defaultProviderId,
    catalog() {
      const defaultProvider = configuredProvider(defaultProviderId);
      return {
        providers: [...providers.values()].filter((entry) => entry.info.configured).map((entry) => entry.info),
        default: { provider: defaultProviderId, model: defaultProvider.info.models[0]!.id },
      };
    },
    resolveModel(providerId = defaultProviderId, modelId) {
      const provider = configuredProvider(providerId);
      const model = modelId === undefined ? provider.info.models[0] : provider.info.models.find((candidate) => candidate.id === modelId);
      if (!model) {
        const offered = provider.info.models.map((candidate) => candidate.id).join(', ');
        throw new InputError(`Model "${modelId}" is not offered for ${provider.info.label} on this server; choose one of ${offered}.`, {
          field: 'model',
        });
      }
      return { provider: provider.providerFor(model), providerInfo: provider.info, model };
    },
    resolveProvider(providerId) {
      return app.resolveModel(providerId).provider;
    },
    laneFor(provider) {
      const key = `${provider.id}:${provider.modelId}`;
      let lane = lanes.get(key);
      if (!lane) {
        // PACING_MODE (and <PROVIDER>_PACING_*): sequential by default, fixed, or adaptive.
        const settings = pacingSettingsOf(config, env, provider.id, providers.get(provider.id)?.descriptor.pacingDefaults);
        lane = sharedLanes ? createSharedLane(sharedLanes, key, settings) : createPacedLane(settings);
        lanes.set(key, lane);
      }
      return lane;
    },
    retryPolicy: {
      maxAttempts: config.RETRY_MAX_ATTEMPTS,
      baseDelayMs: config.RETRY_BASE_DELAY_MS,
      maxDelayMs: config.RETRY_MAX_DELAY_MS,
    },
    ...(publicOrigin === undefined ? {} : { publicOrigin }),
    signWebhook,
    batches() {
      runtime ??= openBatchRuntime(app, env, { servesHttp, sharesDataDirectory }, (ports) => (sharedLanes = ports)).catch((error: unknown) => {
        // Not cached: the next request tries again (say, once DATA_DIR is writable).
        runtime = undefined;
        throw error;
      });
      return runtime;
    },
    async close() {
      const opened = await runtime?.catch(() => undefined);
      runtime = undefined;
      if (!opened) return;
      await opened.queue.stop();
      await opened.webhooks?.stop();
      await opened.closeCrossProcess();
      await opened.store.close();
    },
  };
  // A web node without a worker needs the workers' database and their events (see README "Scaling out").
  if (config.WORKER === 'off' && (config.DATABASE_URL === undefined || config.REDIS_URL === undefined)) {
    throw new ConfigError('WORKER=off needs DATABASE_URL and REDIS_URL: the workers that run its batches share the database, and their progress reaches this process over Redis.');
  }
  // Fails at start, not at the first request, when a provider's pacing variables are wrong.
  for (const providerId of providers.keys()) loadPacingOverrides(env, providerId);
  return app;
}

/** The signer, or a ConfigError that names WEBHOOK_SECRET (never its value) when it cannot be used. */
function createSignerOrThrow(secret: string | undefined): SignWebhook {
  try {
    return createWebhookSigner(secret);
  } catch {
    throw new ConfigError('Invalid configuration: WEBHOOK_SECRET must be whsec_ followed by base64, or another non-empty string');
  }
}

/** The global pacing with the provider's own defaults (local servers) and its `<ID>_PACING_*` over it. */
function pacingSettingsOf(
  config: AppConfig,
  env: Record<string, string | undefined>,
  providerId: string,
  defaults: ConfiguredProvider['descriptor']['pacingDefaults'],
): PacingSettings {
  const own = loadPacingOverrides(env, providerId);
  if (!defaults) return pacingSettingsFor(config, own);
  return { ...pacingSettingsFor(config, { mode: defaults.mode, ...own }), minIntervalMs: defaults.minIntervalMs };
}

function loadProvidersOrThrow(env: Record<string, string | undefined>, config: AppConfig): Map<string, ConfiguredProvider> {
  try {
    return loadProviders(env, { timeoutMs: config.PROVIDER_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof ProviderConfigError) throw new ConfigError(error.message);
    throw error;
  }
}

function chooseDefaultProvider(config: AppConfig, providers: Map<string, ConfiguredProvider>): string {
  const chosen = config.IMAGE_PROVIDER;
  if (chosen !== undefined) {
    const provider = providers.get(chosen);
    if (!provider) throw new ConfigError(`IMAGE_PROVIDER must be one of ${[...providers.keys()].join(', ')}`);
    if (!provider.info.configured) throw new ConfigError(`IMAGE_PROVIDER=${chosen} needs its configuration: ${provider.descriptor.configureHint}`);
    return chosen;
  }
  return defaultProviderPreference.find((id) => providers.get(id)?.info.configured) ?? 'demo';
}

async function openBatchRuntime(
  app: App,
  env: Record<string, string | undefined>,
  { servesHttp, sharesDataDirectory }: Required<CreateAppOptions>,
  shareLanes: (ports: RedisPorts) => void,
): Promise<BatchRuntime> {
  // The embedded server is the only process on its DATA_DIR (see README "Durable batches"); a
  // shared PostgreSQL database may have other workers, whose running items are theirs.
  const isSoleProcess = app.config.DATABASE_URL === undefined && !sharesDataDirectory;
  const store = await openStore({
    dataDirectory: app.config.DATA_DIR,
    isSoleProcess,
    blobStoreUrl: app.config.BLOB_STORE_URL,
    databaseUrl: app.config.DATABASE_URL,
    env,
  });
  let accounts: Accounts;
  try {
    accounts = await openAccounts(store.accounts, accountSettingsFrom(env), { servesHttp });
  } catch (error) {
    await store.close();
    throw error;
  }
  // REDIS_URL: events, cancels and new work reach the other processes on the same database.
  let crossProcess: RedisPorts | undefined;
  try {
    if (app.config.REDIS_URL !== undefined) {
      const { createRedisPorts } = await import('@/lib/queue/redis/redis-ports');
      crossProcess = await createRedisPorts({
        url: app.config.REDIS_URL,
        store: store.batches,
        slotLeaseMs: app.config.LANE_SLOT_LEASE_MS,
        ...(app.config.REDIS_PREFIX === undefined ? {} : { prefix: app.config.REDIS_PREFIX }),
      });
      shareLanes(crossProcess);
    }
  } catch (error) {
    await store.close();
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const closeCrossProcess = async () => {
    await crossProcess?.close();
  };
  const queue = createBatchQueue({
    store: store.batches,
    blobs: store.blobs,
    resolveModel: (providerId, modelId) => app.resolveModel(providerId, modelId),
    laneFor: (provider) => app.laneFor(provider),
    retryPolicy: app.retryPolicy,
    isSoleWorker: isSoleProcess,
    leaseMs: app.config.QUEUE_LEASE_MS,
    safetyPollIntervalMs: app.config.QUEUE_SAFETY_POLL_MS,
    ...(app.config.WORKER_CONCURRENCY === undefined ? {} : { maxItemsInFlight: app.config.WORKER_CONCURRENCY }),
    log: logEvent,
    ...(crossProcess ? { bus: crossProcess.bus, cancelSignals: crossProcess.cancelSignals, source: crossProcess.source } : {}),
  });
  // WORKER=off: this process serves only; the batches it takes are run by workers elsewhere.
  if (app.config.WORKER === 'on') {
    try {
      await queue.start();
    } catch (error) {
      await closeCrossProcess();
      await store.close();
      throw error;
    }
  }
  logEvent('queue-started', {
    dataDirectory: app.config.DATA_DIR,
    database: app.config.DATABASE_URL === undefined ? 'sqlite' : 'postgres',
    worker: app.config.WORKER,
    crossProcess: crossProcess ? 'redis' : 'none',
    blobStore: app.config.BLOB_STORE_URL === undefined ? 'files' : 's3',
  });
  scheduleRetention(app.config.RETENTION_DAYS, queue);
  // The worker delivers webhooks too: with several workers, each delivery is leased to one at a time.
  let webhooks: WebhookDeliverer | undefined;
  if (app.config.WORKER === 'on') {
    // The sole process on its data directory: a claim it holds is from before a crash, so free it now
    // rather than when its lease runs out (as queue.start() requeues the items a crash left running).
    if (isSoleProcess) await store.batches.releaseWebhookLeases();
    webhooks = startWebhookDelivery(app, store);
  }
  return { store, queue, accounts, closeCrossProcess, ...(webhooks ? { webhooks } : {}) };
}

/**
 * A provider key's lane shared by every process on REDIS_URL: concurrency, spacing (with burst),
 * Retry-After pauses and quota closures hold cluster-wide. Adaptive pacing learns per process, so
 * with shared lanes it falls back to fixed pacing at the configured concurrency and rate (said in
 * the log once per lane).
 */
function createSharedLane(ports: RedisPorts, key: string, settings: PacingSettings): Lane {
  if (settings.mode === 'adaptive') logEvent('pacing-adaptive-as-fixed', { lane: key, reason: 'lanes shared through REDIS_URL pace as fixed' });
  const concurrency = settings.mode === 'sequential' ? 1 : settings.concurrency;
  const minIntervalMs = settings.requestsPerMinute && settings.mode !== 'sequential' ? Math.ceil(60_000 / settings.requestsPerMinute) : settings.minIntervalMs;
  return ports.sharedLane(key, { concurrency, minIntervalMs, burst: settings.mode === 'fixed' ? (settings.burst ?? 1) : 1 });
}

/** Webhook deliveries are looked for at least once a second (and as often as the queue's safety poll, when shorter). */
const webhookPollCeilingMs = 1_000;

function startWebhookDelivery(app: App, store: Store): WebhookDeliverer {
  return startWebhookDeliverer({
    store: store.batches,
    sign: app.signWebhook,
    send: sendWebhook,
    retryDelaysMs: app.config.WEBHOOK_RETRY_DELAYS_MS ?? defaultWebhookRetryDelaysMs,
    timeoutMs: app.config.WEBHOOK_TIMEOUT_MS,
    allowPrivate: app.config.WEBHOOK_ALLOW_PRIVATE,
    pollIntervalMs: Math.min(app.config.QUEUE_SAFETY_POLL_MS, webhookPollCeilingMs),
    log: logEvent,
  });
}

/** How often finished batches past RETENTION_DAYS are looked for (and once at start). */
const retentionIntervalMs = 60 * 60_000;

function scheduleRetention(retentionDays: number | undefined, queue: BatchQueue): void {
  if (retentionDays === undefined) return;
  const sweep = () => {
    const before = new Date(Date.now() - retentionDays * 24 * 60 * 60_000);
    queue.deleteFinishedBefore(before).then(
      (deleted) => deleted > 0 && logEvent('retention-deleted', { batches: deleted, retentionDays }),
      (error: unknown) => logEvent('retention-error', { message: error instanceof Error ? error.message : String(error) }),
    );
  };
  sweep();
  const timer = setInterval(sweep, retentionIntervalMs);
  timer.unref?.();
  queue.onStop(() => clearInterval(timer));
}

// One app per server process. Kept on globalThis so that Next.js dev reloads and separately bundled
// route modules share the same lanes (the pacing is per provider, not per module instance).
const globalForApp = globalThis as typeof globalThis & { imagegenApp?: App };

export function getApp(options?: CreateAppOptions): App {
  // The first call makes the process-wide app: the options of later calls are not applied.
  globalForApp.imagegenApp ??= createApp(process.env, options);
  return globalForApp.imagegenApp;
}

/**
 * For tests: forget the process-wide app so the next getApp() reads the environment again. A batch
 * runtime the old app had opened is stopped and closed in the background.
 */
export function resetApp(): void {
  const previous = globalForApp.imagegenApp;
  globalForApp.imagegenApp = undefined;
  previous?.close().catch(() => undefined);
}

/** The process-wide batch runtime (store + queue), opened and its worker started on first use. */
export function getBatchRuntime(): Promise<BatchRuntime> {
  return getApp().batches();
}

/** Who sent this request (see `authenticate`); throws an `AuthError` (401/403) when nobody may. */
export async function authenticateRequest(request: { headers: Headers }): Promise<Principal> {
  return authenticate(request.headers, (await getApp().batches()).accounts);
}

/**
 * What the page may know about the providers (never a key, never a base URL): with a principal,
 * only the models its quota allows (the default moves to the first allowed one).
 */
export function getProvidersCatalog(principal?: Principal): ProvidersCatalog {
  const catalog = getApp().catalog();
  if (principal?.kind !== 'user') return catalog;
  const quotas = [principal.user.quota, ...(principal.token ? [principal.token.quota] : [])];
  const allowed = (providerId: string, modelId: string) => quotas.every((quota) => allowsModel(quota, providerId, modelId));
  const providers = catalog.providers
    .map((provider) => ({ ...provider, models: provider.models.filter((model) => allowed(provider.id, model.id)) }))
    .filter((provider) => provider.models.length > 0);
  const first = providers[0];
  if (allowed(catalog.default.provider, catalog.default.model) || !first) return { providers, default: catalog.default };
  return { providers, default: { provider: first.id, model: first.models[0]!.id } };
}
