import { z } from 'zod';
import type { ProviderDescriptor } from '../descriptor';
import { offeredModels } from '../descriptor';
import { commaList, optionalText, priceOverrides } from '../shared/env-schemas';
import { createOpenAIProvider } from './openai-provider';
import { defaultOpenAIModelId, openaiModels, unknownOpenAICapabilities } from './openai-models';

const envSchema = z.object({
  /** An OpenAI API key. Without it the provider is off. */
  OPENAI_API_KEY: optionalText,
  /** Endpoint override ending in `/v1` (a local fake, or any OpenAI-compatible server). @default the SDK's */
  OPENAI_BASE_URL: optionalText,
  /**
   * The models offered, a comma list; the first is the default. Unknown ids are passed through.
   * @default every known current model, `gpt-image-2.5-flare` first
   */
  OPENAI_IMAGE_MODELS: commaList,
  /** Older single-model setting: when set, that model is the default (put first). */
  OPENAI_IMAGE_MODEL: optionalText,
  /** Per-image price overrides in USD, `model=usd` pairs. @default the list prices in openai-models.ts */
  OPENAI_PRICE_PER_IMAGE_USD: priceOverrides,
});

type OpenAIEnv = z.output<typeof envSchema>;

export const openaiDescriptor: ProviderDescriptor<OpenAIEnv> = {
  id: 'openai',
  label: 'OpenAI',
  isDemo: false,
  envSchema,
  isConfigured: (env) => env.OPENAI_API_KEY !== undefined,
  configureHint: 'set OPENAI_API_KEY',
  models(env) {
    return offeredModels({
      known: openaiModels,
      defaultId: defaultOpenAIModelId,
      configured: env.OPENAI_IMAGE_MODELS,
      single: env.OPENAI_IMAGE_MODEL,
      unknownCapabilities: unknownOpenAICapabilities,
      priceOverrides: env.OPENAI_PRICE_PER_IMAGE_USD,
    });
  },
  createProvider(env, model, settings) {
    return createOpenAIProvider({
      apiKey: env.OPENAI_API_KEY!,
      baseUrl: env.OPENAI_BASE_URL,
      model: model.id,
      capabilities: model.capabilities,
      timeoutMs: settings.timeoutMs,
    });
  },
};
