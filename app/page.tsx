import { Generator } from '@/components/generator';
import { getProviderInfo } from '@/lib/server';

// The provider comes from the server's environment at request time, not at build time.
export const dynamic = 'force-dynamic';

export default function HomePage() {
  const provider = getProviderInfo();
  return <Generator provider={{ id: provider.id, modelId: provider.modelId, isDemo: provider.isDemo }} />;
}
