import { z } from 'zod';
import type { ProviderDescriptor } from '../descriptor';
import { offeredModels } from '../descriptor';
import { commaList, optionalText, priceOverrides } from '../shared/env-schemas';
import { createGeminiProvider } from './gemini-provider';
import { defaultGeminiModelId, geminiModels, unknownGeminiCapabilities } from './gemini-models';

const envSchema = z.object({
  /** A Gemini API key (AI Studio). Without it the provider is off. */
  GEMINI_API_KEY: optionalText,
  /** Endpoint override, e.g. a local fake. @default the SDK's (Google's public endpoint) */
  GEMINI_BASE_URL: optionalText,
  /**
   * The models offered, a comma list; the first is the default. Unknown ids are passed through.
   * @default every known current model, `gemini-3.1-flash-image` first
   */
  GEMINI_MODELS: commaList,
  /** Older single-model setting: when set, that model is the default (put first). */
  GEMINI_MODEL: optionalText,
  /** Per-image price overrides in USD, `model=usd` pairs. @default the list prices in gemini-models.ts */
  GEMINI_PRICE_PER_IMAGE_USD: priceOverrides,
});

type GeminiEnv = z.output<typeof envSchema>;

export const geminiDescriptor: ProviderDescriptor<GeminiEnv> = {
  id: 'gemini',
  label: 'Google Gemini',
  isDemo: false,
  envSchema,
  isConfigured: (env) => env.GEMINI_API_KEY !== undefined,
  configureHint: 'set GEMINI_API_KEY',
  models(env) {
    return offeredModels({
      known: geminiModels,
      defaultId: defaultGeminiModelId,
      configured: env.GEMINI_MODELS,
      single: env.GEMINI_MODEL,
      unknownCapabilities: unknownGeminiCapabilities,
      priceOverrides: env.GEMINI_PRICE_PER_IMAGE_USD,
    });
  },
  createProvider(env, model, settings) {
    return createGeminiProvider({
      apiKey: env.GEMINI_API_KEY!,
      baseUrl: env.GEMINI_BASE_URL,
      model: model.id,
      capabilities: model.capabilities,
      timeoutMs: settings.timeoutMs,
    });
  },
};
