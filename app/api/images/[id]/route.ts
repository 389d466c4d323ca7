import { respondToImage } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** A stored image's bytes, cacheable for good (ids are random and images never change). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return respondToImage(request, (await params).id);
}

/** The headers alone; the file is closed at once. */
export async function HEAD(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return respondToImage(request, (await params).id);
}
