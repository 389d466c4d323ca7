import { respondToBatchZip } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Every image of the batch plus manifest.json, as a streamed ZIP. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return respondToBatchZip(request, (await params).id);
}
