import { loadConfig, type AppConfig, type ImageProvider, type ProviderId } from '@/lib/core';
import { createLane, type Lane, type RetryPolicy } from '@/lib/engine';
import { createProviders } from '@/lib/providers';
import { InputError } from './input-error';

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

  return {
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
        lane = createLane({ concurrency: config.PACING_CONCURRENCY, minIntervalMs: config.PACING_MIN_INTERVAL_MS });
        lanes.set(key, lane);
      }
      return lane;
    },
    retryPolicy: {
      maxAttempts: config.RETRY_MAX_ATTEMPTS,
      baseDelayMs: config.RETRY_BASE_DELAY_MS,
      maxDelayMs: config.RETRY_MAX_DELAY_MS,
    },
  };
}

// One app per server process. Kept on globalThis so that Next.js dev reloads and separately bundled
// route modules share the same lanes (the pacing is per provider, not per module instance).
const globalForApp = globalThis as typeof globalThis & { imagegenApp?: App };

export function getApp(): App {
  globalForApp.imagegenApp ??= createApp();
  return globalForApp.imagegenApp;
}

/** For tests: forget the process-wide app so the next getApp() reads the environment again. */
export function resetApp(): void {
  globalForApp.imagegenApp = undefined;
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
