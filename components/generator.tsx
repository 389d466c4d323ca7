'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { describeWebhooks } from './lib/webhook-status';
import type { StorageUsageView } from '@/lib/core/api-views';
import type { ProvidersCatalog } from '@/lib/core/model-catalog';
import { createBatch, type BatchRequest } from '@/components/lib/batch-api';
import { describeOutcome } from '@/components/lib/batch-state';
import { askNotificationPermissionOnce, notifyIfHidden } from '@/components/lib/browser-notification';
import { describeBatchCost, estimateCost } from '@/components/lib/cost-estimate';
import { defaultChoice, findModel, toImageOptions, type ChosenModel, type ModelChoice } from '@/components/lib/model-options';
import { describePlan, planPrompts } from '@/components/lib/prompt-plan';
import { clientIdOf, displayRunOf } from '@/components/lib/server-batch-state';
import { useFilePasteAndDrop } from '@/hooks/use-file-paste-and-drop';
import { useRunEnd } from '@/hooks/use-run-end';
import { useServerBatches, type HistoryPage } from '@/hooks/use-server-batches';
import { useStorageUsage } from '@/hooks/use-storage-usage';
import { AccountBar, type SignedInUser } from './account-bar';
import { BatchProgress } from './batch-progress';
import { Composer } from './composer';
import { FindAndKeep } from './find-and-keep';
import { emptyGalleryQuery, toApiSearch, type GalleryQuery } from '@/components/lib/gallery-query';
import { Gallery, type GalleryItem } from './gallery';
import { notifyError, notifyInfo, notifyOutcome } from './notify';
import { RemixContext } from './remix-context';
import { fieldOfRejection, useComposerState, validate } from './use-composer-state';
import { useDroppedSettings } from './use-dropped-settings';
import { useRemixActions } from './use-remix-actions';
import styles from './generator.module.css';

export interface GeneratorProps {
  /** The configured providers and their models, as `GET /api/providers` answers (never a key). */
  catalog: ProvidersCatalog;
  /** The newest batches the server keeps, loaded with the page. */
  history: HistoryPage;
  /** What the stored batches take, as `GET /api/storage` answers; null when it could not be read. */
  storageUsage: StorageUsageView | null;
  /** Who is signed in, when the server has accounts: the page shows a small account bar. */
  account?: SignedInUser;
  /** The gallery's search from the page's URL (`history` answers it already). */
  initialQuery?: GalleryQuery;
}

/**
 * The page's client side: composer, live batch, gallery. Every batch is stored on the server
 * (`POST /api/batches`) and followed over its event stream, like the batches still running when
 * the page loads: a reload loses nothing.
 */
export function Generator({ catalog, history, storageUsage, account, initialQuery }: GeneratorProps) {
  const [choice, setChoice] = useState<ModelChoice | undefined>(() => defaultChoice(catalog));
  const chosen = choice ? findModel(catalog, choice) : undefined;
  if (!chosen) {
    return (
      <div className={styles.page}>
        {account ? <AccountBar user={account} page="generator" /> : null}
        <p className="field-error" role="alert">
          This server offers no image model: configure a provider (see the README).
        </p>
      </div>
    );
  }
  return (
    <GeneratorWithModel
      catalog={catalog}
      history={history}
      storageUsage={storageUsage}
      {...(account ? { account } : {})}
      {...(initialQuery ? { initialQuery } : {})}
      chosen={chosen}
      onChoose={setChoice}
    />
  );
}

function GeneratorWithModel({
  catalog,
  history,
  storageUsage,
  account,
  initialQuery = emptyGalleryQuery,
  chosen,
  onChoose,
}: GeneratorProps & { chosen: ChosenModel; onChoose: (choice: ModelChoice) => void }) {
  /** The batch of the live area: the one started last, or retried, or running when the page loaded. */
  const [currentBatchId, setCurrentBatchId] = useState<string | null>(null);
  const currentClientId = currentBatchId === null ? null : clientIdOf(currentBatchId);
  const [initialFilters] = useState(() => toApiSearch(initialQuery));
  const server = useServerBatches(history, currentBatchId, initialFilters);
  const storage = useStorageUsage(storageUsage);
  const [isCreating, setIsCreating] = useState(false);
  const isStartingRef = useRef(false);
  const promptRef = useRef<HTMLTextAreaElement>(null);

  // A batch still running when the page loads takes the live area again.
  const initialRunsRef = useRef(server.batches.map(displayRunOf));
  useEffect(() => {
    const running = initialRunsRef.current.find((run) => run.status === 'running');
    if (running?.batchId) setCurrentBatchId((current) => current ?? running.batchId);
  }, []);

  const { cancel: cancelBatch, retry: retryBatch, remove: removeBatch, pending } = server;
  const refreshStorage = storage.refresh;
  const items: GalleryItem[] = useMemo(
    () =>
      server.batches.map((batch) => {
        const run = displayRunOf(batch);
        const { view } = batch;
        const webhook = describeWebhooks(view.webhooks);
        return {
          run,
          ...(webhook ? { webhook } : {}),
          cost: describeBatchCost({
            isDemo: view.isDemo,
            isRunning: run.status === 'running',
            costUsd: view.costUsd,
            ...(view.estimatedCostUsd === undefined ? {} : { estimatedCostUsd: view.estimatedCostUsd }),
          }),
          controls: {
            zipUrl: view.zipUrl,
            ...(pending[view.id] ? { pending: pending[view.id] } : {}),
            onCancel: () => void cancelBatch(view.id).then((result) => reportProblem('Could not cancel the batch', result)),
            onRetry: () =>
              void retryBatch(view.id).then((result) => {
                reportProblem('Could not retry the failed images', result);
                if (result?.ok) setCurrentBatchId(view.id);
              }),
            onDelete: () =>
              void removeBatch(view.id).then((result) => {
                reportProblem('Could not delete the batch', result);
                if (result?.ok) {
                  notifyInfo('Batch deleted.');
                  void refreshStorage();
                }
              }),
          },
        };
      }),
    [server.batches, pending, cancelBatch, retryBatch, removeBatch, refreshStorage],
  );

  const allRuns = useMemo(() => items.map((item) => item.run), [items]);
  useRunEnd(allRuns, (run) => {
    const outcome = describeOutcome(run);
    notifyOutcome(outcome);
    notifyIfHidden(outcome.title, outcome.description ?? run.prompt, run.clientId);
    void refreshStorage();
  });

  const { values, errors, setErrors, addImages, removeImage, changeValues, changeOptions, chooseModel, applyFill, checkCustomSize } =
    useComposerState(catalog, chosen, onChoose);
  const droppedSettings = useDroppedSettings({ catalog, chosen, options: values.options, applyFill, addImages });
  useFilePasteAndDrop(droppedSettings.receiveFiles);
  const focusPrompt = useCallback(() => promptRef.current?.focus(), []);
  const takeAsInput = useCallback((file: File) => addImages([file]), [addImages]);

  const imageOptions = toImageOptions(values.options, chosen.model.capabilities);
  const plan = useMemo(() => planPrompts(values.prompt, values.numberOfImages), [values.prompt, values.numberOfImages]);
  const estimate = estimateCost(chosen, imageOptions, Math.max(1, plan.prompts.length) * values.numberOfImages);

  const showRejection = (rejectedField: string | undefined, message: string) => {
    const field = fieldOfRejection(rejectedField);
    setErrors({ [field ?? 'form']: message });
    if (field === 'prompt') promptRef.current?.focus();
    if (!field) notifyError('The batch could not start', message);
  };

  /** Creates the batch and makes it the live one; answers whether the server took it. */
  const start = async (request: BatchRequest): Promise<boolean> => {
    setIsCreating(true);
    try {
      const result = await createBatch(request);
      if (!result.ok) {
        showRejection(result.field, result.message);
        return false;
      }
      server.add(result.value);
      setCurrentBatchId(result.value.id);
      void refreshStorage();
      return true;
    } finally {
      setIsCreating(false);
    }
  };

  const remix = useRemixActions({
    batches: server.batches,
    catalog,
    chosen,
    applyFill,
    start: async (request) => void (await start(request)),
    onFilled: () => {
      promptRef.current?.scrollIntoView({ block: 'center' });
      promptRef.current?.focus({ preventScroll: true });
    },
  });

  const generate = async () => {
    if (isStartingRef.current) return;
    const problems = validate(values, chosen, plan);
    if (problems) {
      setErrors(problems);
      if (problems.prompt) promptRef.current?.focus();
      return;
    }
    isStartingRef.current = true;
    setErrors({});
    const request: BatchRequest = {
      prompts: plan.prompts,
      numberOfImages: values.numberOfImages,
      provider: chosen.provider.id,
      model: chosen.model.id,
      ...imageOptions,
      ...(values.images.length > 0 ? { images: values.images } : {}),
    };
    // While the click is still a user gesture: the browser only shows its prompt then.
    askNotificationPermissionOnce();
    try {
      const isStarted = await start(request);
      if (isStarted) void rememberInHistory(values.prompt);
    } finally {
      isStartingRef.current = false;
    }
  };

  const currentRun = items.find((item) => item.run.clientId === currentClientId)?.run ?? null;
  const cancelCurrent = () => {
    if (currentBatchId) void cancelBatch(currentBatchId).then((result) => reportProblem('Could not cancel the batch', result));
  };

  return (
    <div className={styles.page}>
      <header className={styles.masthead}>
        <div className={styles.titleRow}>
          <h1 className={styles.title}>Batch image generator</h1>
          {account ? <AccountBar user={account} page="generator" /> : null}
        </div>
        <p className={styles.subtitle}>
          {chosen.provider.isDemo
            ? 'Demo mode: an offline provider draws simple pictures from your prompt. It is not AI; set an API key on the server for real generation.'
            : 'One prompt, up to a hundred images. Every batch is saved on the server as its images arrive: reload or close the tab, it goes on.'}
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
        onImagesAdd={droppedSettings.receiveFiles}
        onImageRemove={removeImage}
        costEstimate={describePlan(plan, estimate)}
        promptCount={plan.prompts.length}
        isOverLimit={plan.isOverLimit}
        settingsNotice={droppedSettings.notice}
        onSettingsImageAsInput={droppedSettings.takeNoticeImageAsInput}
        onSettingsNoticeDismiss={droppedSettings.dismissNotice}
        errors={errors}
        isRunning={isCreating}
        onSubmit={() => void generate()}
        promptRef={promptRef}
      />

      <BatchProgress run={currentRun} onCancel={cancelCurrent} isCancelPending={currentBatchId ? pending[currentBatchId] === 'cancel' : false} />

      <RemixContext value={remix}>
        <FindAndKeep
          catalog={catalog}
          initialQuery={initialQuery}
          batches={server.batches}
          hasMore={server.history.hasMore}
          search={server.search}
          isSearching={server.isSearching}
          changeItem={server.changeItem}
          onImagesDeleted={refreshStorage}
        >
          <Gallery
            items={items}
            currentClientId={currentClientId}
            history={server.history}
            storageUsage={storage.usage}
            onUseAsInput={takeAsInput}
            onFocusPrompt={focusPrompt}
          />
        </FindAndKeep>
      </RemixContext>
    </div>
  );
}

/** The prompt joins the History popover's recent prompts (the store is loaded only once a batch starts). */
async function rememberInHistory(prompt: string): Promise<void> {
  const { rememberPrompt, updatePromptHistory } = await import('@/components/lib/prompt-history');
  updatePromptHistory(window.localStorage, (history) => rememberPrompt(history, prompt));
}

function reportProblem(title: string, result: { ok: true } | { ok: false; message: string } | undefined): void {
  if (result && !result.ok) notifyError(title, result.message);
}
