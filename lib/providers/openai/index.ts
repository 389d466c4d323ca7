export { createOpenAIProvider, type OpenAIProviderOptions } from './openai-provider';
export { classifyOpenAIError, type ClassifyOpenAIOptions } from './classify-openai-error';
