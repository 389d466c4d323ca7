import type { ImageProvider, ModelInfo, ProviderInfo } from '@/lib/core';
import { a1111Descriptor } from './a1111';
import { comfyuiDescriptor } from './comfyui';
import { demoDescriptor } from './demo';
import type { ProviderDescriptor, ProviderSettings } from './descriptor';
import { geminiDescriptor } from './gemini';
import { openaiDescriptor } from './openai';
import { openrouterDescriptor } from './openrouter';

/** Every provider this build knows, in the order the picker lists them. Add a provider here. */
export const providerDescriptors: readonly ProviderDescriptor[] = [
  geminiDescriptor as unknown as ProviderDescriptor,
  openaiDescriptor as unknown as ProviderDescriptor,
  openrouterDescriptor as unknown as ProviderDescriptor,
  a1111Descriptor as unknown as ProviderDescriptor,
  comfyuiDescriptor as unknown as ProviderDescriptor,
  demoDescriptor as unknown as ProviderDescriptor,
];

export const knownProviderIds: readonly string[] = providerDescriptors.map((descriptor) => descriptor.id);

/** One provider as this server has it configured: its descriptor, its parsed env and its models. */
export interface ConfiguredProvider {
  descriptor: ProviderDescriptor;
  info: ProviderInfo;
  /** An adapter for one of its models (`info.models`), built on first use and kept. */
  providerFor(model: ModelInfo): ImageProvider;
}

export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderConfigError';
  }
}

/**
 * Reads each descriptor's own variables from `env`. Returns every known provider, configured or
 * not (the unconfigured ones only say what to set). Throws a `ProviderConfigError` naming each bad
 * variable, never its value.
 */
export function loadProviders(
  env: Record<string, string | undefined>,
  settings: ProviderSettings,
  descriptors: readonly ProviderDescriptor[] = providerDescriptors,
): Map<string, ConfiguredProvider> {
  const providers = new Map<string, ConfiguredProvider>();
  const problems: string[] = [];
  for (const descriptor of descriptors) {
    const parsed = descriptor.envSchema.safeParse(env);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
      continue;
    }
    const ownEnv = parsed.data;
    const configured = descriptor.isConfigured(ownEnv);
    const models = configured ? descriptor.models(ownEnv) : [];
    const adapters = new Map<string, ImageProvider>();
    providers.set(descriptor.id, {
      descriptor,
      info: { id: descriptor.id, label: descriptor.label, isDemo: descriptor.isDemo, configured, models },
      providerFor(model) {
        let adapter = adapters.get(model.id);
        if (!adapter) {
          adapter = descriptor.createProvider(ownEnv, model, settings);
          adapters.set(model.id, adapter);
        }
        return adapter;
      },
    });
  }
  if (problems.length > 0) throw new ProviderConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return providers;
}
