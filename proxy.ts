import { NextResponse, type NextRequest } from 'next/server';
import { guardRequest, requestGuardSettingsFrom } from '@/lib/server/request-guard';

// Read once: the allowed hosts come from the environment the server started with.
const settings = requestGuardSettingsFrom(process.env);

/**
 * Every request, the page's and the API's, passes the request guard first: Host allow-list (DNS
 * rebinding), cross-site state changes (CSRF), methods the API has, well-formed %-escapes.
 */
export function proxy(request: NextRequest): NextResponse | undefined {
  const refusal = guardRequest({ method: request.method, path: request.nextUrl.pathname, headers: request.headers }, settings);
  if (!refusal) return undefined;
  return NextResponse.json({ error: refusal.error }, { status: refusal.status, ...(refusal.headers ? { headers: refusal.headers } : {}) });
}

export const config = {
  // Static build files carry no state and are served as they are.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
