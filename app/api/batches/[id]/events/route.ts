import { respondToBatchEvents } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Progress as SSE; resumes after `Last-Event-ID` (header) or `?lastEventId=`, replays and closes once the batch has ended. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return respondToBatchEvents(request, (await params).id);
}
