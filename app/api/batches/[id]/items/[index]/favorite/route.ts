import { respondToSetFavorite } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ id: string; index: string }> };

/** `{ "favorite": true | false }`: marks the image as a favorite, or not → `{ item }`. */
export async function POST(request: Request, { params }: Context): Promise<Response> {
  const { id, index } = await params;
  return respondToSetFavorite(request, id, index);
}
