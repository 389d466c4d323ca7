export { createOpenRouterProvider, defaultOpenRouterBaseUrl, type OpenRouterProviderOptions } from './openrouter-provider';
export {
  classifyOpenRouterHttpError,
  classifyOpenRouterNoImage,
  classifyOpenRouterThrown,
  openRouterKindOf,
  type ClassifyOpenRouterOptions,
} from './classify-openrouter-error';
export { openrouterDescriptor } from './descriptor';
export { openRouterImageModels, modelListTtlMs } from './openrouter-model-list';
export { defaultOpenRouterModelId, openrouterModels, unknownOpenRouterCapabilities } from './openrouter-models';
export { openRouterRateLimitOf, openRouterRetryHintOf } from './openrouter-rate-limit';
