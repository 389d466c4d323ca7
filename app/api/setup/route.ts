import { respondToSetup } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** The first admin, from the one-time setup link in the server's log: `{ token, username, password }`. */
export function POST(request: Request): Promise<Response> {
  return respondToSetup(request);
}
