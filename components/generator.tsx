'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import { createBatch, type BatchRequest } from '@/hooks/batch-api';
import { createRun, describeOutcome, type ProviderSummary } from '@/hooks/batch-state';
import { askNotificationPermissionOnce, notifyIfHidden } from '@/hooks/browser-notification';
import { describeBatchCost, describeEstimate, estimateCost, estimatedTotalUsd } from '@/hooks/cost-estimate';
import { defaultChoice, findModel, toImageOptions, type ChosenModel, type ModelChoice } from '@/hooks/model-options';
import { clientIdOf, displayRunOf } from '@/hooks/server-batch-state';
import { useBatchStream } from '@/hooks/use-batch-stream';
import { useFilePasteAndDrop } from '@/hooks/use-file-paste-and-drop';
import { useRunEnd } from '@/hooks/use-run-end';
import { useServerBatches, type HistoryPage } from '@/hooks/use-server-batches';
import { useSessionBatches } from '@/hooks/use-session-batches';
import { BatchProgress } from './batch-progress';
import { Composer, maxInTabImages } from './composer';
import { Gallery, type GalleryItem } from './gallery';
import { notifyError, notifyOutcome } from './notify';
import { fieldOfRejection, useComposerState, validate } from './use-composer-state';
import styles from './generator.module.css';

export interface GeneratorProps {
  /** The configured providers and their models, as `GET /api/providers` answers (never a key). */
  catalog: ProvidersCatalog;
  /** The newest batches the server keeps, loaded with the page. */
  history: HistoryPage;
}

const toProviderSummary = ({ provider, model }: ChosenModel): ProviderSummary => ({ id: provider.id, model: model.id, isDemo: provider.isDemo });

/**
 * The page's client side: composer, live batch, gallery. Up to four images run in this tab over
 * the classic streaming route; more go to the server's background queue and are followed over
 * their event stream, like the batches still running when the page loads.
 */
export function Generator({ catalog, history }: GeneratorProps) {
  const [choice, setChoice] = useState<ModelChoice | undefined>(() => defaultChoice(catalog));
  const chosen = choice ? findModel(catalog, choice) : undefined;
  if (!chosen) {
    return (
      <div className={styles.page}>
        <p className="field-error" role="alert">
          This server offers no image model: configure a provider (see the README).
        </p>
      </div>
    );
  }
  return <GeneratorWithModel catalog={catalog} history={history} chosen={chosen} onChoose={setChoice} />;
}

function GeneratorWithModel({
  catalog,
  history,
  chosen,
  onChoose,
}: GeneratorProps & { chosen: ChosenModel; onChoose: (choice: ModelChoice) => void }) {
  const providerSummary = useMemo(() => toProviderSummary(chosen), [chosen]);
  const session = useSessionBatches();
  const stream = useBatchStream();
  const [currentClientId, setCurrentClientId] = useState<string | null>(null);
  const currentServerId = currentClientId?.startsWith('batch:') ? currentClientId.slice('batch:'.length) : null;
  const server = useServerBatches(history, currentServerId);
  const [isCreating, setIsCreating] = useState(false);
  const isStartingRef = useRef(false);
  const runCounterRef = useRef(0);
  const promptRef = useRef<HTMLTextAreaElement>(null);

  // A batch still running when the page loads takes the live area again.
  const initialRunsRef = useRef(server.batches.map(displayRunOf));
  useEffect(() => {
    const running = initialRunsRef.current.find((run) => run.status === 'running');
    if (running) setCurrentClientId((current) => current ?? running.clientId);
  }, []);

  const { cancel: cancelServerBatch, retry: retryServerBatch, pending } = server;
  const items: GalleryItem[] = useMemo(() => {
    const fromServer = server.batches.map((batch) => ({
      sortKey: Date.parse(batch.view.createdAt),
      run: displayRunOf(batch),
      cost: describeBatchCost({
        isDemo: batch.view.isDemo,
        isStored: true,
        isRunning: displayRunOf(batch).status === 'running',
        ...(batch.view.costUsd === undefined ? {} : { costUsd: batch.view.costUsd }),
        ...(batch.view.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: batch.view.estimatedCostUsd }),
      }),
      saved: {
        zipUrl: batch.view.zipUrl,
        ...(pending[batch.view.id] ? { pending: pending[batch.view.id] } : {}),
        onCancel: () => void cancelServerBatch(batch.view.id).then((result) => reportProblem('Could not cancel the batch', result)),
        onRetry: () =>
          void retryServerBatch(batch.view.id).then((result) => {
            reportProblem('Could not retry the failed images', result);
            if (result?.ok) setCurrentClientId(clientIdOf(batch.view.id));
          }),
      },
    }));
    const fromSession = session.runs.map((run) => ({
      sortKey: run.startedAt,
      run,
      cost: describeBatchCost({
        isDemo: run.provider.isDemo,
        isStored: false,
        isRunning: run.status === 'running',
        ...(run.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: run.estimatedCostUsd }),
      }),
    }));
    return [...fromSession, ...fromServer].sort((left, right) => right.sortKey - left.sortKey).map(({ sortKey: _key, ...item }) => item);
  }, [server.batches, session.runs, pending, cancelServerBatch, retryServerBatch]);

  const allRuns = useMemo(() => items.map((item) => item.run), [items]);
  useRunEnd(allRuns, (run) => {
    const outcome = describeOutcome(run);
    notifyOutcome(outcome);
    notifyIfHidden(outcome.title, outcome.description ?? run.prompt, run.clientId);
  });

  const { values, errors, setErrors, addImages, removeImage, changeValues, changeOptions, chooseModel, checkCustomSize } = useComposerState(
    catalog,
    chosen,
    onChoose,
  );
  useFilePasteAndDrop(addImages);
  const focusPrompt = useCallback(() => promptRef.current?.focus(), []);
  const takeAsInput = useCallback((file: File) => addImages([file]), [addImages]);

  const imageOptions = toImageOptions(values.options, chosen.model.capabilities);
  const estimate = estimateCost(chosen, imageOptions, values.numberOfImages);

  const showRejection = (rejectedField: string | undefined, message: string) => {
    const field = fieldOfRejection(rejectedField);
    setErrors({ [field ?? 'form']: message });
    if (field === 'prompt') promptRef.current?.focus();
    if (!field) notifyError('The batch could not start', message);
  };

  const runInTab = async (request: BatchRequest, estimatedUsd: number | undefined) => {
    const clientId = `run-${Date.now()}-${(runCounterRef.current += 1)}`;
    session.dispatch({
      type: 'start',
      run: createRun({
        clientId,
        prompt: request.prompt,
        numberOfImages: request.numberOfImages,
        aspectRatio: request.aspectRatio ?? '1:1',
        mode: request.images ? 'image-to-image' : 'text-to-image',
        ...(request.images ? { inputName: request.images.map((image) => image.name).join(', ') } : {}),
        provider: providerSummary,
        ...(estimatedUsd === undefined ? {} : { estimatedCostUsd: estimatedUsd }),
        startedAt: Date.now(),
      }),
    });
    setCurrentClientId(clientId);
    const outcome = await stream.start(request, (event) => session.receive(clientId, event));
    if (outcome.type === 'aborted') session.dispatch({ type: 'cancel', clientId, at: Date.now() });
    if (outcome.type === 'broken') session.dispatch({ type: 'break', clientId, at: Date.now(), reason: outcome.message });
    if (outcome.type === 'rejected' || outcome.type === 'busy') session.dispatch({ type: 'discard', clientId });
    if (outcome.type === 'rejected') showRejection(outcome.field, outcome.message);
  };

  const runInBackground = async (request: BatchRequest) => {
    setIsCreating(true);
    try {
      const result = await createBatch(request);
      if (!result.ok) {
        showRejection(result.field, result.message);
        return;
      }
      server.add(result.value);
      setCurrentClientId(clientIdOf(result.value.id));
    } finally {
      setIsCreating(false);
    }
  };

  const generate = async () => {
    if (isStartingRef.current) return;
    const problems = validate(values, chosen);
    if (problems) {
      setErrors(problems);
      if (problems.prompt) promptRef.current?.focus();
      return;
    }
    isStartingRef.current = true;
    setErrors({});
    const request: BatchRequest = {
      prompt: values.prompt.trim(),
      numberOfImages: values.numberOfImages,
      provider: chosen.provider.id,
      model: chosen.model.id,
      ...imageOptions,
      ...(values.images.length > 0 ? { images: values.images } : {}),
    };
    const isBackground = request.numberOfImages > maxInTabImages;
    // While the click is still a user gesture: the browser only shows its prompt then.
    if (isBackground) askNotificationPermissionOnce();
    try {
      await (isBackground ? runInBackground(request) : runInTab(request, estimatedTotalUsd(estimate)));
    } finally {
      isStartingRef.current = false;
    }
  };

  const currentRun = items.find((item) => item.run.clientId === currentClientId)?.run ?? null;
  const cancelCurrent = () => {
    if (currentServerId) void cancelServerBatch(currentServerId).then((result) => reportProblem('Could not cancel the batch', result));
    else stream.cancel();
  };

  return (
    <div className={styles.page}>
      <header className={styles.masthead}>
        <h1 className={styles.title}>Batch image generator</h1>
        <p className={styles.subtitle}>
          {providerSummary.isDemo
            ? 'Demo mode: an offline provider draws simple pictures from your prompt. It is not AI; set an API key on the server for real generation.'
            : 'One prompt, up to a hundred images. Up to four arrive right here; larger batches run in the background and are saved as they arrive.'}
        </p>
      </header>

      <Composer
        values={values}
        onChange={changeValues}
        catalog={catalog}
        chosen={chosen}
        onChoose={chooseModel}
        onOptionsChange={changeOptions}
        onCustomSizeBlur={checkCustomSize}
        onImagesAdd={addImages}
        onImageRemove={removeImage}
        costEstimate={describeEstimate(estimate)}
        errors={errors}
        isRunning={stream.isRunning || isCreating}
        onSubmit={() => void generate()}
        promptRef={promptRef}
      />

      <BatchProgress run={currentRun} onCancel={cancelCurrent} isCancelPending={currentServerId ? pending[currentServerId] === 'cancel' : false} />

      <Gallery items={items} currentClientId={currentClientId} history={server.history} onUseAsInput={takeAsInput} onFocusPrompt={focusPrompt} />
    </div>
  );
}

function reportProblem(title: string, result: { ok: true } | { ok: false; message: string } | undefined): void {
  if (result && !result.ok) notifyError(title, result.message);
}
