export { createProviders } from './registry';
export { createDemoProvider, type DemoProviderOptions } from './demo';
export { createGeminiProvider } from './gemini';
export { createOpenAIProvider } from './openai';
