import { authenticateRequest, getProvidersCatalog, toErrorResponse } from '@/lib/server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** The configured providers, the models the caller may use and what each takes (never a key, never a base URL). */
export async function GET(request: Request): Promise<Response> {
  try {
    return Response.json(getProvidersCatalog(await authenticateRequest(request)), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return toErrorResponse(error);
  }
}
