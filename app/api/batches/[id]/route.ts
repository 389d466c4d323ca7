import { respondToDeleteBatch, respondToGetBatch } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** The batch with its items (status, error, image URL). */
export async function GET(request: Request, { params }: Context): Promise<Response> {
  return respondToGetBatch(request, (await params).id);
}

/** Deletes a finished batch with its images (204); 409 while it runs: cancel it first (POST /cancel). */
export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  return respondToDeleteBatch(request, (await params).id);
}
