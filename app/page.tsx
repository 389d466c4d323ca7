import { Generator } from '@/components/generator';
import { historyPageSize, type HistoryPage } from '@/hooks/server-batch-state';
import { getProviderInfo, listBatches } from '@/lib/server';

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
  const provider = getProviderInfo();
  const history = await loadHistory();
  return <Generator provider={{ id: provider.id, modelId: provider.modelId, isDemo: provider.isDemo }} history={history} />;
}
