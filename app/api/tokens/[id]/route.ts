import { respondToRevokeToken } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Revokes the token: it stops working at once. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return respondToRevokeToken(request, (await params).id);
}
