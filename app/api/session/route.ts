import { respondToGetSession, respondToSignIn, respondToSignOut } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Who is signed in: `{ accounts: 'on' | 'off', setupPending, user? }`. */
export function GET(request: Request): Promise<Response> {
  return respondToGetSession(request);
}

/** Sign in: `{ username, password }` → the session cookie (HttpOnly, SameSite=Lax). */
export function POST(request: Request): Promise<Response> {
  return respondToSignIn(request);
}

/** Sign out: the session ends on the server and the cookie is cleared. */
export function DELETE(request: Request): Promise<Response> {
  return respondToSignOut(request);
}
