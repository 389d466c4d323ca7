import { Generator } from '@/components/generator';
import { historyPageSize, type HistoryPage } from '@/hooks/server-batch-state';
import { getProvidersCatalog, listBatches } from '@/lib/server';

// The provider and the saved batches come from the server at request time, not at build time.
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

export default async function HomePage() {
  const catalog = getProvidersCatalog();
  const provider = catalog.providers.find((candidate) => candidate.id === catalog.default.provider)!;
  const history = await loadHistory();
  return <Generator provider={{ id: provider.id, modelId: catalog.default.model, isDemo: provider.isDemo }} history={history} />;
}
