import { respondToCreateBatch, respondToListBatches } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Background batch: JSON or multipart like the generate routes, up to 100 images → 202 `{ id, status, eventsUrl, … }`. */
export function POST(request: Request): Promise<Response> {
  return respondToCreateBatch(request);
}

/** Past batches, newest first, with their items: `?limit=` (1-100, default 20) and `?before=<nextCursor>`. */
export function GET(request: Request): Promise<Response> {
  return respondToListBatches(request);
}
