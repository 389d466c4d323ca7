import { respondToCancelBatch } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Queued images are canceled at once, calls in flight aborted; images already made are kept. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return respondToCancelBatch(request, (await params).id);
}
