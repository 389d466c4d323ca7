import { Fragment } from 'react';
import type { EmbeddedParameters } from '@/lib/core/embedded-parameters';
import { useEmbeddedParameters } from '@/hooks/use-embedded-parameters';
import { formatTime } from './format';
import type { LightboxEntry } from './lightbox';
import { ProviderBadge } from './provider-badge';
import styles from './lightbox.module.css';

/** What made the image: model, options, cost, when; then what its PNG carries, read lazily. */
export function LightboxDetails({ entry, naturalSize }: { entry: LightboxEntry; naturalSize: { width: number; height: number } | null }) {
  const { run, image, cost } = entry;
  const settings = run.settings ?? {};
  const rows: [string, string | undefined][] = [
    ['Aspect ratio', run.aspectRatio],
    ['Size', settings.size],
    ['Pixels', naturalSize ? `${naturalSize.width} × ${naturalSize.height}` : undefined],
    ['Quality', settings.quality],
    ['Format', settings.outputFormat ?? image.mimeType.replace('image/', '').toUpperCase()],
    ['Background', settings.background],
    ['Mode', run.mode === 'image-to-image' ? `Image-to-image${run.inputName ? ` (${run.inputName})` : ''}` : 'Text-to-image'],
    ['Created', formatTime(run.startedAt)],
    [run.slots.length > 1 ? 'Cost (batch)' : 'Cost', cost?.text],
  ];
  return (
    <>
      <dl className={styles.params} data-testid="lightbox-details">
        <dt>Model</dt>
        <dd>
          <ProviderBadge provider={run.provider} />
        </dd>
        <Rows rows={rows} />
      </dl>
      <EmbeddedSection url={image.url} mimeType={image.mimeType} />
    </>
  );
}

/** A term and its value per row; rows without a value are left out. */
function Rows({ rows }: { rows: [string, string | undefined][] }) {
  return rows.map(([term, value]) =>
    value ? (
      <Fragment key={term}>
        <dt>{term}</dt>
        <dd>{value}</dd>
      </Fragment>
    ) : null,
  );
}

function EmbeddedSection({ url, mimeType }: { url: string; mimeType: string }) {
  const state = useEmbeddedParameters(url, mimeType);
  if (state.status === 'none') return null;
  return (
    <section className={styles.embedded} aria-labelledby="lightbox-embedded-title" aria-busy={state.status === 'loading'} data-testid="lightbox-embedded">
      <h3 id="lightbox-embedded-title" className={styles.embeddedTitle}>
        In the PNG
      </h3>
      {state.status === 'loading' ? <p className={styles.embeddedLoading}>Reading the image’s parameters…</p> : <EmbeddedList parameters={state.parameters} />}
    </section>
  );
}

function EmbeddedList({ parameters }: { parameters: EmbeddedParameters }) {
  const rows: [string, string | undefined][] = [
    ['Provider', parameters.providerId],
    ['Model', parameters.modelId],
    ['Size', parameters.size],
    ['Seed', parameters.seed],
    ['Negative prompt', parameters.negativePrompt],
    ...Object.entries(parameters.settings),
  ];
  return (
    <dl className={styles.params}>
      <Rows rows={rows} />
    </dl>
  );
}
