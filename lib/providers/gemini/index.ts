export { createGeminiProvider, type GeminiProviderOptions } from './gemini-provider';
export { classifyGeminiError, classifyGeminiNoImage, type ClassifyGeminiOptions } from './classify-gemini-error';
