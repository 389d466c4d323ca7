import { respondToOpenAIModels } from '@/lib/server/openai-compat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** OpenAI-compatible model list: the models the caller may use, as `provider/model` ids. */
export function GET(request: Request): Promise<Response> {
  return respondToOpenAIModels(request);
}
