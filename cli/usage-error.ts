/** Something the person running the command must fix (exit 64); the message says what. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}

/** The API's field names as the command's options, so a validation message points at what to change. */
const optionByField: Record<string, string> = {
  prompt: 'the prompt (argument, -p or --prompts-file)',
  prompts: 'the prompts (argument, -p or --prompts-file)',
  numberOfImages: '-n/--count',
  image: '--image',
  aspectRatio: '--aspect',
  size: '--size',
  quality: '--quality',
  outputFormat: '--format',
  background: '--background',
  provider: '--provider',
  model: '--model',
  maxCostUsd: '--max-cost',
};

/** An API validation error (`{ error, field }`) said in the command's terms. */
export function usageErrorFromField(message: string, field: string | undefined): UsageError {
  const option = field === undefined ? undefined : optionByField[field];
  return new UsageError(option === undefined ? message : `${option}: ${message}`);
}
