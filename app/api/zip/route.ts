import { respondToImagesZip } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** `{ "images": [imageId, …] }` (1 to 500, from any of your batches) → one streamed ZIP with manifest.json. */
export function POST(request: Request): Promise<Response> {
  return respondToImagesZip(request);
}
