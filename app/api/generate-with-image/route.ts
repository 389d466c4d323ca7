import { parseImageToImageRequest, respondToGeneration } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Image-to-image: multipart (`prompt`, `numberOfImages`, file `image`) or JSON with a base64 image. */
export function POST(request: Request): Promise<Response> {
  return respondToGeneration(request, parseImageToImageRequest);
}
