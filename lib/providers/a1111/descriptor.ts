import { z } from 'zod';
import type { ModelInfo } from '@/lib/core';
import type { ProviderDescriptor } from '../descriptor';
import { commaList, optionalText } from '../shared/env-schemas';
import { a1111Capabilities, defaultA1111Samplers, loadedCheckpointModelId } from './a1111-models';
import { createA1111Provider } from './a1111-provider';

const envSchema = z.object({
  /** The web UI's origin, started with `--api` (e.g. `http://127.0.0.1:7860`). Without it the provider is off. */
  A1111_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:7860' }).optional()),
  /** `user:pass`, as the server's `--api-auth`. @default none */
  A1111_AUTH: optionalText.pipe(z.string().regex(/^[^:]+:.+$/, 'must be user:pass, as --api-auth takes it').optional()),
  /**
   * Checkpoints offered, a comma list of titles or names from `GET /sdapi/v1/sd-models`; the first
   * is the default. @default one model, `default`: whatever checkpoint the server has loaded
   */
  A1111_MODELS: commaList,
  /** Sampler names offered, a comma list; the first is the default. @default A1111 1.9's list, `DPM++ 2M` first */
  A1111_SAMPLERS: commaList,
});

type A1111Env = z.output<typeof envSchema>;

export const a1111Descriptor: ProviderDescriptor<A1111Env> = {
  id: 'a1111',
  label: 'AUTOMATIC1111',
  isDemo: false,
  envSchema,
  isConfigured: (env) => env.A1111_URL !== undefined,
  configureHint: 'set A1111_URL',
  // One GPU, one job: A1111 queues behind a lock anyway, and `interrupt` stops whatever runs, which
  // must be the call we gave up on.
  pacingDefaults: { mode: 'sequential', minIntervalMs: 0 },
  // Synchronous, so the list cannot come from the server: A1111_MODELS, else the loaded checkpoint.
  models(env): ModelInfo[] {
    const samplers = env.A1111_SAMPLERS ?? defaultA1111Samplers;
    const ids = env.A1111_MODELS && env.A1111_MODELS.length > 0 ? [...new Set(env.A1111_MODELS)] : [loadedCheckpointModelId];
    return ids.map((id) => ({
      id,
      label: id === loadedCheckpointModelId ? 'Loaded checkpoint' : id,
      capabilities: a1111Capabilities(id, samplers),
    }));
  },
  createProvider(env, model, settings) {
    return createA1111Provider({
      baseUrl: env.A1111_URL!,
      ...(env.A1111_AUTH ? { auth: env.A1111_AUTH } : {}),
      model: model.id,
      timeoutMs: settings.timeoutMs,
    });
  },
};
