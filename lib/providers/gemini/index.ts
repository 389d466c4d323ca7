export { createGeminiProvider, type GeminiProviderOptions } from './gemini-provider';
export { classifyGeminiError, classifyGeminiNoImage, type ClassifyGeminiOptions } from './classify-gemini-error';
export { geminiDescriptor } from './descriptor';
export { geminiModels, defaultGeminiModelId, retiredGeminiModelIds } from './gemini-models';
