/** Test doubles for the provider adapters: local HTTP fakes speaking each provider's real wire format. */
export {
  closedLocalUrl,
  startFakeHttpServer,
  type FakeHttpServer,
  type FakeHttpServerOptions,
  type RecordedFile,
  type RecordedForm,
  type RecordedRequest,
  type ResponseScript,
  type ScriptedResponse,
} from './fake-http-server';
export { startFakeGeminiServer, geminiModelOf, geminiResponses, type FakeGeminiServer, type FakeGeminiServerOptions, type GeminiUsageMetadata } from './fake-gemini-server';
export { startFakeOpenAIServer, openaiResponses, type FakeOpenAIServer, type OpenAIErrorBody } from './fake-openai-server';
export { startFakeOpenRouterServer, openrouterResponses, type FakeOpenRouterServer, type FakeOpenRouterServerOptions } from './fake-openrouter-server';
export { TINY_JPEG_BASE64, TINY_PNG_BASE64, tinyJpeg, tinyPng } from './test-images';
export {
  defaultBurstRequests,
  startProviderSimulator,
  type ProviderSimulator,
  type ProviderSimulatorOptions,
  type SimulatedFaults,
  type SimulatedQuotaOptions,
  type SimulatedWire,
  type SimulatorStats,
} from './provider-simulator';
export { imageModelLatency, meanLatencyMs, sampleLatencyMs, seededRandom, type LatencyDistribution } from './latency-distribution';
export { createSimulatedQuota, type Admission, type QuotaOptions, type QuotaState, type SimulatedQuota } from './simulated-quota';
export { rejectionOf } from './rejection-of';
export { a1111Responses, startFakeA1111Server, type FakeA1111Server, type FakeA1111ServerOptions } from './fake-a1111-server';
export { startFakeComfyUIServer, type FakeComfyUIServer, type FakeComfyUIServerOptions, type FakeExecutionError } from './fake-comfyui-server';
