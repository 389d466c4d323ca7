import { z } from 'zod';
import type { ProviderDescriptor } from '../descriptor';
import { offeredModels } from '../descriptor';
import { commaList, optionalText, priceOverrides } from '../shared/env-schemas';
import { defaultOpenRouterModelId, openrouterModels, unknownOpenRouterCapabilities } from './openrouter-models';
import { createOpenRouterProvider } from './openrouter-provider';

const envSchema = z.object({
  /** An OpenRouter API key. Without it the provider is off. */
  OPENROUTER_API_KEY: optionalText,
  /** Endpoint override ending in `/api/v1` (a local fake). @default 'https://openrouter.ai/api/v1' */
  OPENROUTER_BASE_URL: optionalText,
  /**
   * The models offered, a comma list of OpenRouter ids; the first is the default. Unknown ids pass through.
   * @default `google/gemini-2.5-flash-image`, `google/gemini-3-pro-image-preview`, `openai/gpt-5-image`, `black-forest-labs/flux.2-pro`
   */
  OPENROUTER_MODELS: commaList,
  /** Per-image price overrides in USD, `model=usd` pairs. @default none: cost unknown */
  OPENROUTER_PRICE_PER_IMAGE_USD: priceOverrides,
  /** The app's public address, sent as `HTTP-Referer` so OpenRouter can attribute its traffic. @default not sent */
  PUBLIC_URL: optionalText,
});

type OpenRouterEnv = z.output<typeof envSchema>;

export const openrouterDescriptor: ProviderDescriptor<OpenRouterEnv> = {
  id: 'openrouter',
  label: 'OpenRouter',
  isDemo: false,
  envSchema,
  isConfigured: (env) => env.OPENROUTER_API_KEY !== undefined,
  configureHint: 'set OPENROUTER_API_KEY',
  models(env) {
    return offeredModels({
      known: openrouterModels,
      defaultId: defaultOpenRouterModelId,
      configured: env.OPENROUTER_MODELS,
      unknownCapabilities: unknownOpenRouterCapabilities,
      priceOverrides: env.OPENROUTER_PRICE_PER_IMAGE_USD,
    });
  },
  createProvider(env, model, settings) {
    return createOpenRouterProvider({
      apiKey: env.OPENROUTER_API_KEY!,
      baseUrl: env.OPENROUTER_BASE_URL,
      model: model.id,
      capabilities: model.capabilities,
      timeoutMs: settings.timeoutMs,
      appUrl: env.PUBLIC_URL,
    });
  },
};
