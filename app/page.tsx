import { Generator } from '@/components/generator';
import { historyPageSize, type HistoryPage } from '@/components/lib/server-batch-state';
import { galleryQueryFrom, toApiSearch, type GalleryQuery } from '@/components/lib/gallery-query';
import type { StorageUsageView } from '@/lib/core';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { authenticateRequest, getProvidersCatalog, getStorageUsage, isAuthError, listBatches, parseBatchFilters, type Principal } from '@/lib/server';

// The providers and the saved batches come from the server at request time, not at build time.
export const dynamic = 'force-dynamic';

/** The newest saved batches (those the URL's search finds), so the gallery is there on the first paint (and without JavaScript). */
async function loadHistory(principal: Principal, query: GalleryQuery): Promise<HistoryPage> {
  try {
    const page = await listBatches(principal, { limit: historyPageSize, ...parseBatchFilters(new URLSearchParams(toApiSearch(query))) });
    return { batches: page.batches, nextCursor: page.nextCursor ?? null };
  } catch {
    return { batches: [], nextCursor: null, error: 'The saved batches could not be loaded.' };
  }
}

/** The gallery's disk use (the page asks again when it could not be read here). */
async function loadStorageUsage(principal: Principal): Promise<StorageUsageView | null> {
  try {
    return await getStorageUsage(principal);
  } catch {
    return null;
  }
}

/** Who is looking: signed out (with accounts on) goes to the sign-in page. */
async function whoIsAsking(): Promise<Principal | { refused: string }> {
  try {
    return await authenticateRequest({ headers: await headers() });
  } catch (error) {
    if (isAuthError(error) && error.status === 401) redirect('/sign-in');
    if (isAuthError(error)) return { refused: error.message };
    throw error;
  }
}

export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const principal = await whoIsAsking();
  if ('refused' in principal) {
    return (
      <main className="refused">
        <h1>Not available from here</h1>
        <p>{principal.refused}</p>
      </main>
    );
  }
  // The same catalog as GET /api/providers: the picker and each model's options are read from it.
  const catalog = getProvidersCatalog(principal);
  const query = galleryQueryFrom(await searchParams);
  const [history, storageUsage] = await Promise.all([loadHistory(principal, query), loadStorageUsage(principal)]);
  // Only what the account bar shows reaches the browser.
  const account = principal.kind === 'user' ? { username: principal.user.username, role: principal.user.role } : undefined;
  return <Generator catalog={catalog} history={history} storageUsage={storageUsage} initialQuery={query} {...(account ? { account } : {})} />;
}
