import { respondToStorageUsage } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** What the stored batches take on disk: `{ batchCount, imageCount, imageBytes, retentionDays? }`. */
export function GET(request: Request): Promise<Response> {
  return respondToStorageUsage(request);
}
