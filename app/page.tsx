import { Generator } from '@/components/generator';
import { historyPageSize, type HistoryPage } from '@/components/lib/server-batch-state';
import type { StorageUsageView } from '@/lib/core';
import { getProvidersCatalog, getStorageUsage, listBatches } from '@/lib/server';

// The providers and the saved batches come from the server at request time, not at build time.
export const dynamic = 'force-dynamic';

/** The newest saved batches, so the gallery is there on the first paint (and without JavaScript). */
async function loadHistory(): Promise<HistoryPage> {
  try {
    const page = await listBatches({ limit: historyPageSize });
    return { batches: page.batches, nextCursor: page.nextCursor ?? null };
  } catch {
    return { batches: [], nextCursor: null, error: 'The saved batches could not be loaded.' };
  }
}

/** The gallery's disk use (the page asks again when it could not be read here). */
async function loadStorageUsage(): Promise<StorageUsageView | null> {
  try {
    return await getStorageUsage();
  } catch {
    return null;
  }
}

export default async function HomePage() {
  // The same catalog as GET /api/providers: the picker and each model's options are read from it.
  const catalog = getProvidersCatalog();
  const [history, storageUsage] = await Promise.all([loadHistory(), loadStorageUsage()]);
  return <Generator catalog={catalog} history={history} storageUsage={storageUsage} />;
}
