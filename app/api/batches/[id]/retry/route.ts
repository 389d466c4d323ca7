import { respondToRetryBatch } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Requeues only the failed and canceled images of an ended batch (409 while it is still running). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return respondToRetryBatch(request, (await params).id);
}
