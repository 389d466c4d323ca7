import type { ProvidersCatalog } from '@/lib/core';
import { OpenAICompatError } from './openai-error';

/**
 * OpenAI clients name a model with one string. Ours is `provider/model` (what `GET /v1/models`
 * lists, e.g. `gemini/gemini-3-pro-image`), a bare model id (the first provider offering it,
 * the default provider first: `gpt-image-2.5-flare` works unchanged), or a bare provider id
 * (its default model).
 */
export interface ModelChoice {
  providerId: string;
  modelId: string;
}

/** `provider/model`, the id `GET /v1/models` lists. */
export function openAIModelIdOf(providerId: string, modelId: string): string {
  return `${providerId}/${modelId}`;
}

/** The provider and model `model` names in `catalog`; the default when absent; a 404 model_not_found otherwise. */
export function resolveOpenAIModel(catalog: ProvidersCatalog, model: string | undefined): ModelChoice {
  if (model === undefined) return { providerId: catalog.default.provider, modelId: catalog.default.model };
  const providers = [...catalog.providers].sort((left, right) => Number(right.id === catalog.default.provider) - Number(left.id === catalog.default.provider));
  const separator = model.indexOf('/');
  if (separator > 0) {
    const provider = providers.find((candidate) => candidate.id === model.slice(0, separator));
    const modelId = model.slice(separator + 1);
    if (provider?.models.some((candidate) => candidate.id === modelId)) return { providerId: provider.id, modelId };
  }
  for (const provider of providers) {
    if (provider.models.some((candidate) => candidate.id === model)) return { providerId: provider.id, modelId: model };
  }
  const provider = providers.find((candidate) => candidate.id === model);
  if (provider?.models[0]) return { providerId: provider.id, modelId: provider.models[0].id };
  throw new OpenAICompatError(404, `The model \`${model}\` does not exist on this server. GET /v1/models lists the models you may use.`, {
    type: 'invalid_request_error',
    param: 'model',
    code: 'model_not_found',
  });
}

/** One entry of `GET /v1/models`, as the SDK's `Model` type has it. */
export interface OpenAIModel {
  id: string;
  object: 'model';
  /** Unix seconds. The catalog has no dates: the time this server started. */
  created: number;
  /** The provider's id (`openai`, `gemini`, `demo`, …). */
  owned_by: string;
}

export function toOpenAIModelList(catalog: ProvidersCatalog, createdSeconds: number): { object: 'list'; data: OpenAIModel[] } {
  const data = catalog.providers.flatMap((provider) =>
    provider.models.map((model) => ({ id: openAIModelIdOf(provider.id, model.id), object: 'model' as const, created: createdSeconds, owned_by: provider.id })),
  );
  return { object: 'list', data };
}
