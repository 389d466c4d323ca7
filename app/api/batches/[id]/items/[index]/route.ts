import { respondToDeleteImage } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string; index: string }> };

/** Deletes this image of a finished batch (its file goes; the item stays, marked deleted) → `{ batch }`; 409 while the batch runs. */
export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  const { id, index } = await params;
  return respondToDeleteImage(request, id, index);
}
