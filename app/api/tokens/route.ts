import { respondToCreateToken, respondToListTokens } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** The signed-in user's API tokens (never their secrets). */
export function GET(request: Request): Promise<Response> {
  return respondToListTokens(request);
}

/** A new API token `{ name, quota? }` → `{ token, secret }`: the secret is shown this once. */
export function POST(request: Request): Promise<Response> {
  return respondToCreateToken(request);
}
