import { AppError } from '@/lib/core';

/** Bad input from a client: answered 400 with a message a person can act on; nothing is generated. */
export type InputField =
  | 'prompt'
  | 'prompts'
  | 'numberOfImages'
  | 'image'
  | 'aspectRatio'
  | 'provider'
  | 'model'
  | 'size'
  | 'quality'
  | 'outputFormat'
  | 'background'
  /** The diffusion controls (`ExtraOptionCapabilities`). */
  | 'negativePrompt'
  | 'seed'
  | 'steps'
  | 'cfgScale'
  | 'sampler'
  | 'denoisingStrength'
  | 'maxCostUsd'
  | 'webhookUrl'
  | 'body'
  /** Query parameters and headers of the batch API. */
  | 'limit'
  | 'before'
  | 'lastEventId'
  /** The search and filters of `GET /api/batches`. */
  | 'q'
  | 'status'
  | 'from'
  | 'to'
  | 'favorites'
  /** An item's index in the path, and the bodies of the favorite and ZIP routes. */
  | 'index'
  | 'favorite'
  | 'images';

export class InputError extends AppError {
  readonly status: number;
  readonly field?: InputField;

  constructor(message: string, options: { field?: InputField; status?: number } = {}) {
    super('InputError', message);
    this.field = options.field;
    this.status = options.status ?? 400;
  }
}
