export { createOpenAIProvider, type OpenAIProviderOptions } from './openai-provider';
export { classifyOpenAIError, rateLimitInfoOf, retryHintOf, type ClassifyOpenAIOptions } from './classify-openai-error';
export { openaiDescriptor } from './descriptor';
export { openaiModels, defaultOpenAIModelId, fixedGptImageSizes, gptImage2SizeRule, retiredOpenAIModelIds } from './openai-models';
