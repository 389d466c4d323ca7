import type { ProviderSummary } from '@/components/lib/batch-state';
import styles from './provider-badge.module.css';

const demoExplanation = 'Offline demo provider: pictures are drawn from the prompt by a script. This is not AI.';

/** Provider and model, with an unmissable "demo" badge when the offline provider is active. */
export function ProviderBadge({ provider, testId, isModelShown = true }: { provider: ProviderSummary; testId?: string; isModelShown?: boolean }) {
  return (
    <span className={styles.provider}>
      <span
        className={provider.isDemo ? `${styles.badge} ${styles.demo}` : styles.badge}
        data-testid={testId}
        data-demo={provider.isDemo}
        title={provider.isDemo ? demoExplanation : `Provider: ${provider.id}`}
      >
        {provider.isDemo ? 'demo' : provider.id}
      </span>
      {isModelShown ? <span className={styles.model}>{provider.model}</span> : null}
      {provider.isDemo ? <span className="visually-hidden">{demoExplanation}</span> : null}
    </span>
  );
}
