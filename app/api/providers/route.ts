import { getProvidersCatalog, toErrorResponse } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** The configured providers, their models and what each takes (never a key, never a base URL). */
export function GET(): Response {
  try {
    return Response.json(getProvidersCatalog(), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return toErrorResponse(error);
  }
}
