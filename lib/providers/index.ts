export { knownProviderIds, loadProviders, ProviderConfigError, providerDescriptors, type ConfiguredProvider } from './registry';
export { offeredModels, type KnownModel, type ProviderDescriptor, type ProviderSettings } from './descriptor';
export { createDemoProvider, demoDescriptor, type DemoProviderOptions } from './demo';
export { createGeminiProvider, geminiDescriptor, geminiModels, defaultGeminiModelId } from './gemini';
export { createOpenAIProvider, openaiDescriptor, openaiModels, defaultOpenAIModelId, fixedGptImageSizes, gptImage2SizeRule, rateLimitInfoOf, retryHintOf } from './openai';
export { retryHintOptions } from './shared/error-helpers';
export { createOpenRouterProvider, openrouterDescriptor, openrouterModels, defaultOpenRouterModelId } from './openrouter';
