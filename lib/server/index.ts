export { createApp, getApp, getProviderInfo, resetApp, type App, type ProviderInfo } from './create-app';
export { respondToGeneration } from './generate-endpoint';
export { parseImageToImageRequest, parseTextToImageRequest, type GenerationInput } from './generation-input';
export { InputError } from './input-error';
export { toClassicResult } from './classic-result';
export { toErrorResponse } from './to-response';
