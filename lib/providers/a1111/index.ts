export { createA1111Provider, generationRequestOf, type A1111ProviderOptions } from './a1111-provider';
export { a1111Descriptor } from './descriptor';
export { a1111Capabilities, baseEdgeFor, defaultA1111Samplers, loadedCheckpointModelId } from './a1111-models';
export { a1111SizeFor } from './a1111-size';
export { classifyA1111Failure, classifyA1111Response } from './classify-a1111-error';
