/** The OpenAI-compatible API (`/v1/images/generations`, `/v1/images/edits`, `/v1/models`) over the batch lifecycle. */
import { respondToOpenAIImages } from './openai-images-endpoint';
import { parseEditRequest, parseGenerationRequest } from './openai-images-request';

export { respondToOpenAIModels } from './openai-models-endpoint';
export { batchIdHeader, failedCountHeader } from './openai-images-response';

/** `POST /v1/images/generations` (JSON, as OpenAI's `images.generate`). */
export const respondToOpenAIImageGeneration = (request: Request) => respondToOpenAIImages(request, parseGenerationRequest);

/** `POST /v1/images/edits` (multipart, as OpenAI's `images.edit`). */
export const respondToOpenAIImageEdit = (request: Request) => respondToOpenAIImages(request, parseEditRequest);
