import { respondToOpenAIImageEdit } from '@/lib/server/openai-compat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** OpenAI-compatible `images.edit`: multipart with `image` (or `image[]`) files and the generation fields. */
export function POST(request: Request): Promise<Response> {
  return respondToOpenAIImageEdit(request);
}
