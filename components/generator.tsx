'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createRun, describeOutcome, type ProviderSummary } from '@/hooks/batch-state';
import { useBatchStream, type BatchRequest } from '@/hooks/use-batch-stream';
import { useFilePasteAndDrop } from '@/hooks/use-file-paste-and-drop';
import { useRunEnd } from '@/hooks/use-run-end';
import { useSessionBatches } from '@/hooks/use-session-batches';
import { BatchGroup } from './batch-group';
import { BatchProgress } from './batch-progress';
import { Composer, maxPromptCharacters, type ComposerValues, type FieldErrors } from './composer';
import { imageFileName } from './format';
import { checkInputImage } from './image-drop-zone';
import { Lightbox, type LightboxEntry } from './lightbox';
import { notifyError, notifyInfo, notifyOutcome } from './notify';
import styles from './generator.module.css';

export interface GeneratorProps {
  /** The server's active provider (never a key). */
  provider: { id: string; modelId: string; isDemo: boolean };
}

function validate(values: ComposerValues): FieldErrors | null {
  const prompt = values.prompt.trim();
  if (prompt === '') return { prompt: 'Prompt is required: describe the image you want.' };
  if (prompt.length > maxPromptCharacters) {
    return { prompt: `Prompt is too long (${prompt.length} characters); the limit is ${maxPromptCharacters}.` };
  }
  const imageProblem = values.image ? checkInputImage(values.image) : undefined;
  return imageProblem ? { image: imageProblem } : null;
}

/** The page's client side: composer, live batch, the session's gallery and the lightbox. */
export function Generator({ provider }: GeneratorProps) {
  const providerSummary: ProviderSummary = useMemo(
    () => ({ id: provider.id, model: provider.modelId, isDemo: provider.isDemo }),
    [provider.id, provider.modelId, provider.isDemo],
  );
  const { runs, dispatch, receive } = useSessionBatches();
  const { start, cancel, isRunning } = useBatchStream();
  const [values, setValues] = useState<ComposerValues>({ prompt: '', numberOfImages: 4, aspectRatio: '1:1', image: null });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [selected, setSelected] = useState<{ clientId: string; index: number } | null>(null);
  const isStartingRef = useRef(false);
  const runCounterRef = useRef(0);
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const shouldFocusPromptRef = useRef(false);

  useRunEnd(runs, (run) => notifyOutcome(describeOutcome(run)));

  const selectImage = useCallback((file: File) => {
    const problem = checkInputImage(file);
    if (problem) {
      setErrors((current) => ({ ...current, image: problem }));
      return;
    }
    setValues((current) => ({ ...current, image: file }));
    setErrors(({ image: _image, ...rest }) => rest);
  }, []);
  useFilePasteAndDrop(selectImage);

  const changeValues = (change: Partial<ComposerValues>) => {
    setValues((current) => ({ ...current, ...change }));
    setErrors((current) => {
      const next = { ...current };
      if ('prompt' in change) delete next.prompt;
      if ('numberOfImages' in change) delete next.numberOfImages;
      if ('aspectRatio' in change) delete next.aspectRatio;
      if ('image' in change) delete next.image;
      delete next.form;
      return next;
    });
  };

  const generate = async () => {
    if (isStartingRef.current) return;
    const problems = validate(values);
    if (problems) {
      setErrors(problems);
      if (problems.prompt) promptRef.current?.focus();
      return;
    }
    isStartingRef.current = true;
    setErrors({});
    const clientId = `run-${Date.now()}-${(runCounterRef.current += 1)}`;
    const request: BatchRequest = {
      prompt: values.prompt.trim(),
      numberOfImages: values.numberOfImages,
      aspectRatio: values.aspectRatio,
      ...(values.image ? { image: values.image } : {}),
    };
    dispatch({
      type: 'start',
      run: createRun({
        clientId,
        prompt: request.prompt,
        numberOfImages: request.numberOfImages,
        aspectRatio: values.aspectRatio,
        mode: values.image ? 'image-to-image' : 'text-to-image',
        ...(values.image ? { inputName: values.image.name } : {}),
        provider: providerSummary,
        startedAt: Date.now(),
      }),
    });
    try {
      const outcome = await start(request, (event) => receive(clientId, event));
      if (outcome.type === 'aborted') dispatch({ type: 'cancel', clientId, at: Date.now() });
      if (outcome.type === 'broken') dispatch({ type: 'break', clientId, at: Date.now(), reason: outcome.message });
      if (outcome.type === 'rejected' || outcome.type === 'busy') dispatch({ type: 'discard', clientId });
      if (outcome.type === 'rejected') {
        setErrors({ [outcome.field ?? 'form']: outcome.message });
        if (outcome.field === 'prompt') promptRef.current?.focus();
        if (!outcome.field) notifyError('The batch could not start', outcome.message);
      }
    } finally {
      isStartingRef.current = false;
    }
  };

  const entries: LightboxEntry[] = useMemo(
    () =>
      runs.flatMap((run) =>
        run.slots.flatMap((slot) => (slot.status === 'succeeded' && slot.image ? [{ run, index: slot.index, image: slot.image }] : [])),
      ),
    [runs],
  );
  const selectedPosition = selected
    ? entries.findIndex((entry) => entry.run.clientId === selected.clientId && entry.index === selected.index)
    : -1;
  const selectedEntry = entries[selectedPosition];
  const step = (offset: number) => {
    const next = entries[(selectedPosition + offset + entries.length) % entries.length];
    if (next) setSelected({ clientId: next.run.clientId, index: next.index });
  };

  useEffect(() => {
    if (selected === null && shouldFocusPromptRef.current) {
      shouldFocusPromptRef.current = false;
      promptRef.current?.focus();
    }
  }, [selected]);

  const copyPrompt = async (prompt: string) => {
    try {
      await navigator.clipboard.writeText(prompt);
      notifyInfo('Prompt copied.');
    } catch {
      notifyError('Could not copy the prompt', 'Select the prompt text and copy it by hand.');
    }
  };

  const takeAsInput = async ({ image, index }: LightboxEntry) => {
    try {
      const blob = await (await fetch(image.url)).blob();
      selectImage(new File([blob], `input-${imageFileName(index, image.mimeType)}`, { type: blob.type || image.mimeType }));
      shouldFocusPromptRef.current = true;
      setSelected(null);
      notifyInfo(`Image ${index} is now the input image.`);
    } catch {
      notifyError('Could not use that image as input');
    }
  };

  return (
    <div className={styles.page}>
      <header className={styles.masthead}>
        <h1 className={styles.title}>Batch image generator</h1>
        <p className={styles.subtitle}>
          {providerSummary.isDemo
            ? 'Demo mode: an offline provider draws simple pictures from your prompt. It is not AI; set an API key on the server for real generation.'
            : 'One prompt, up to four images. Each one arrives the moment it is ready.'}
        </p>
      </header>

      <Composer
        values={values}
        onChange={changeValues}
        onImageSelect={selectImage}
        errors={errors}
        provider={providerSummary}
        isRunning={isRunning}
        onSubmit={() => void generate()}
        promptRef={promptRef}
      />

      <BatchProgress run={runs[0] ?? null} onCancel={cancel} />

      <section className={styles.results} aria-labelledby="results-heading">
        <h2 id="results-heading" className={styles.sectionTitle}>
          This session
        </h2>
        {runs.length === 0 ? (
          <p className={styles.empty}>Your images will appear here, one slot per image, newest batch first.</p>
        ) : (
          runs.map((run, position) => (
            <BatchGroup key={run.clientId} run={run} isCurrent={position === 0} onOpen={(clientId, index) => setSelected({ clientId, index })} />
          ))
        )}
      </section>

      {selectedEntry ? (
        <Lightbox
          entry={selectedEntry}
          position={selectedPosition + 1}
          count={entries.length}
          onPrevious={() => step(-1)}
          onNext={() => step(1)}
          onClose={() => setSelected(null)}
          onCopyPrompt={(prompt) => void copyPrompt(prompt)}
          onUseAsInput={(entry) => void takeAsInput(entry)}
        />
      ) : null}
    </div>
  );
}
