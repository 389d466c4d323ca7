import { loadConfig, providerIds, type AppConfig, type ImageProvider, type ProviderId } from '@/lib/core';
import { createPacedLane, pacingSettingsFor, type Lane, type RetryPolicy } from '@/lib/engine';
import { createProviders } from '@/lib/providers';
import { createBatchQueue, type BatchQueue } from '@/lib/queue';
import { openStore, type Store } from '@/lib/store';
import { InputError } from './input-error';
import { logEvent } from './logger';

/** The durable side of the app: the store under DATA_DIR and the queue whose worker runs in this process. */
export interface BatchRuntime {
  store: Store;
  queue: BatchQueue;
}

/** Everything the server needs, wired once from the environment. */
export interface App {
  config: AppConfig;
  /** The provider used when a request names none (IMAGE_PROVIDER). */
  defaultProviderId: ProviderId;
  /** The provider a request asked for, or the default; a 400 InputError when it is not configured. */
  resolveProvider(providerId?: ProviderId): ImageProvider;
  /** One lane per provider, shared by every batch on it: the pacing lives there. */
  laneFor(provider: ImageProvider): Lane;
  retryPolicy: RetryPolicy;
  /**
   * Opens the store (DATA_DIR) and starts the queue's worker, once: later calls share the same
   * runtime. The worker recovers what a crash left running, then serves queued batches.
   */
  batches(): Promise<BatchRuntime>;
  /** Stops the worker (items in flight are requeued at the next start) and closes the store. */
  close(): Promise<void>;
}

const keyVariableByProvider: Record<ProviderId, string | undefined> = {
  demo: undefined,
  gemini: 'GEMINI_API_KEY',
  openai: 'OPENAI_API_KEY',
};

export function createApp(env: Record<string, string | undefined> = process.env): App {
  const config = loadConfig(env);
  const providers = createProviders(config);
  const lanes = new Map<string, Lane>();
  let runtime: Promise<BatchRuntime> | undefined;

  const app: App = {
    config,
    defaultProviderId: config.IMAGE_PROVIDER,
    resolveProvider(providerId = config.IMAGE_PROVIDER) {
      const provider = providers.get(providerId);
      if (!provider) {
        throw new InputError(`Provider "${providerId}" is not configured on this server: set ${keyVariableByProvider[providerId]}.`, {
          field: 'provider',
        });
      }
      return provider;
    },
    laneFor(provider) {
      const key = `${provider.id}:${provider.modelId}`;
      let lane = lanes.get(key);
      if (!lane) {
        // PACING_MODE (and <PROVIDER>_PACING_*): sequential by default, fixed, or adaptive.
        lane = createPacedLane(pacingSettingsFor(config, provider.id));
        lanes.set(key, lane);
      }
      return lane;
    },
    retryPolicy: {
      maxAttempts: config.RETRY_MAX_ATTEMPTS,
      baseDelayMs: config.RETRY_BASE_DELAY_MS,
      maxDelayMs: config.RETRY_MAX_DELAY_MS,
    },
    batches() {
      runtime ??= openBatchRuntime(app).catch((error: unknown) => {
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
      await opened.store.close();
    },
  };
  return app;
}

async function openBatchRuntime(app: App): Promise<BatchRuntime> {
  const store = await openStore({ dataDirectory: app.config.DATA_DIR });
  const queue = createBatchQueue({
    store: store.batches,
    blobs: store.blobs,
    resolveProvider(providerId) {
      if (!isProviderId(providerId)) throw new InputError(`Unknown provider "${providerId}".`, { field: 'provider' });
      return app.resolveProvider(providerId);
    },
    laneFor: (provider) => app.laneFor(provider),
    retryPolicy: app.retryPolicy,
    log: logEvent,
  });
  try {
    await queue.start();
  } catch (error) {
    await store.close();
    throw error;
  }
  logEvent('queue-started', { dataDirectory: app.config.DATA_DIR });
  return { store, queue };
}

function isProviderId(value: string): value is ProviderId {
  return (providerIds as readonly string[]).includes(value);
}

// One app per server process. Kept on globalThis so that Next.js dev reloads and separately bundled
// route modules share the same lanes (the pacing is per provider, not per module instance).
const globalForApp = globalThis as typeof globalThis & { imagegenApp?: App };

export function getApp(): App {
  globalForApp.imagegenApp ??= createApp();
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

export interface ProviderInfo {
  id: string;
  modelId: string;
  isDemo: boolean;
}

/** What the page may know about the active provider (never a key). */
export function getProviderInfo(): ProviderInfo {
  const provider = getApp().resolveProvider();
  return { id: provider.id, modelId: provider.modelId, isDemo: provider.isDemo };
}
