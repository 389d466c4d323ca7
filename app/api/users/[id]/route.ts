import { respondToDeleteUser, respondToUpdateUser } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string }> };

/** Admin: change a user's `password`, `role` or `quota`. */
export async function POST(request: Request, { params }: Context): Promise<Response> {
  return respondToUpdateUser(request, (await params).id);
}

/** Admin: delete a user (their sessions and tokens end; their batches stay). */
export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  return respondToDeleteUser(request, (await params).id);
}
