import { respondToOpenAIImageGeneration } from '@/lib/server/openai-compat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** OpenAI-compatible `images.generate`: JSON `{ prompt, model?, n?, size?, quality?, output_format?, background?, response_format? }`. */
export function POST(request: Request): Promise<Response> {
  return respondToOpenAIImageGeneration(request);
}
