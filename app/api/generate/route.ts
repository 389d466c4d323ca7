import { parseTextToImageRequest, respondToGeneration } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Text-to-image: JSON `{ prompt, numberOfImages }`; streams SSE when asked with Accept: text/event-stream. */
export function POST(request: Request): Promise<Response> {
  return respondToGeneration(request, parseTextToImageRequest);
}
