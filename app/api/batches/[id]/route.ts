import { respondToCancelBatch, respondToGetBatch } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** The batch with its items (status, error, image URL). */
export async function GET(request: Request, { params }: Context): Promise<Response> {
  return respondToGetBatch(request, (await params).id);
}

/** Cancels the batch (same as POST /cancel); the batch and its images are kept. */
export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  return respondToCancelBatch(request, (await params).id);
}
