import type { AppConfig, ImageProvider, ProviderId } from '@/lib/core';
import { createDemoProvider } from './demo';
import { createGeminiProvider } from './gemini';
import { createOpenAIProvider } from './openai';

/**
 * Builds every provider the configuration allows: the demo always (it needs nothing), gemini and
 * openai when their key is set. Keys stay inside the adapters; nothing here logs them.
 */
export function createProviders(config: AppConfig): Map<ProviderId, ImageProvider> {
  const providers = new Map<ProviderId, ImageProvider>();
  providers.set(
    'demo',
    createDemoProvider({
      latencyMs: config.DEMO_LATENCY_MS,
      failIndexes: config.DEMO_FAIL_INDEXES,
      failKind: config.DEMO_FAIL_KIND,
      failPromptMatch: config.DEMO_FAIL_PROMPT_MATCH,
    }),
  );
  if (config.GEMINI_API_KEY) {
    providers.set(
      'gemini',
      createGeminiProvider({
        apiKey: config.GEMINI_API_KEY,
        baseUrl: config.GEMINI_BASE_URL,
        model: config.GEMINI_MODEL,
        timeoutMs: config.PROVIDER_TIMEOUT_MS,
      }),
    );
  }
  if (config.OPENAI_API_KEY) {
    providers.set(
      'openai',
      createOpenAIProvider({
        apiKey: config.OPENAI_API_KEY,
        baseUrl: config.OPENAI_BASE_URL,
        model: config.OPENAI_IMAGE_MODEL,
        timeoutMs: config.PROVIDER_TIMEOUT_MS,
      }),
    );
  }
  return providers;
}
