import { getProvidersCatalog } from '../create-app';
import { authenticateOpenAIClient } from './openai-client-auth';
import { toOpenAIErrorResponse } from './openai-error';
import { toOpenAIModelList } from './openai-model-ids';

/** The catalog has no creation dates; `created` is when this server process started (Unix seconds). */
const startedAtSeconds = Math.floor(Date.now() / 1000);

/** `GET /v1/models`: `{ object: 'list', data: [{ id, object: 'model', created, owned_by }] }`, the models the caller may use. */
export async function respondToOpenAIModels(request: Request): Promise<Response> {
  try {
    const principal = await authenticateOpenAIClient(request);
    return Response.json(toOpenAIModelList(getProvidersCatalog(principal), startedAtSeconds), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return toOpenAIErrorResponse(error);
  }
}
