import type { AspectRatio } from '@/lib/core/image';
import type { BatchStatus, GenerationMode, ItemProgressEvent, ProgressEvent } from '@/lib/core/events';

/**
 * The browser's picture of one batch, drawn from the server's view of it and then moved on only by
 * its progress events. Pure: no timers, no fetches.
 */

/** `deleted`: the image was made, then its owner deleted it (the server's item stays `succeeded`). */
export type SlotStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'deleted';

export interface GeneratedImage {
  /** Where the server keeps the image (`/api/images/<id>`), to show and download. */
  url: string;
  mimeType: string;
  /** The server's id of the image (what a ZIP of chosen images asks for). */
  imageId?: string;
}

export interface RetryWait {
  delayMs: number;
  /** Client clock when the item-retry event arrived, to show how long is left. */
  receivedAt: number;
  /** Why the attempt failed, in words. */
  reason: string;
}

export interface Slot {
  /** 1-based, as in the events. */
  index: number;
  /** The prompt this image is made from (a batch may have several). */
  prompt: string;
  status: SlotStatus;
  attempt: number;
  retry?: RetryWait;
  /** The provider's step report while it runs (local diffusion servers): step `step` of `totalSteps`. */
  progress?: { step: number; totalSteps: number };
  image?: GeneratedImage;
  /** Why it failed, in words ("Blocked by the safety filter"). */
  error?: string;
  details?: string;
  /** Its owner marked the image as a favorite. */
  isFavorite?: boolean;
}

export interface ProviderSummary {
  id: string;
  model: string;
  isDemo: boolean;
}

export type RunStatus = 'running' | BatchStatus;

export interface BatchRun {
  /** The page's key for the batch: `batch:<id>`. */
  clientId: string;
  /** The server's batch id. */
  batchId: string | null;
  /** The first prompt. */
  prompt: string;
  /** Every prompt, in order; each makes `imagesPerPrompt` images, prompt 1's first. */
  prompts: string[];
  aspectRatio: AspectRatio;
  mode: GenerationMode;
  /** The uploaded image's name, for image-to-image. */
  inputName?: string;
  provider: ProviderSummary;
  startedAt: number;
  endedAt: number | null;
  status: RunStatus;
  slots: Slot[];
  /** Images that succeeded (never decreases). */
  succeeded: number;
  /** Images that failed (never decreases). */
  failed: number;
  /** Items that ended, succeeded or failed: the progress bar's value (never decreases). */
  finished: number;
  etaMs: number | null;
  /** Highest event sequence applied; older or repeated events are ignored. */
  lastSequence: number;
  /** Set while (and after) a retry runs some images again: its progress counts only those. */
  retry?: RetryRun;
  /** The model's options the batch asked for, as stored (known once the server describes the batch). */
  settings?: RunSettings;
}

export interface RunSettings {
  /** `1K`/`2K`/`4K` or `WIDTHxHEIGHT`. */
  size?: string;
  quality?: string;
  outputFormat?: string;
  background?: string;
}

/** A later run of a batch that had ended: the images it queued again, and when (client clock). */
export interface RetryRun {
  /** 1-based indexes of the images run again. */
  indexes: number[];
  startedAt: number;
}

export interface NewRun {
  clientId: string;
  /** One or more, in order. */
  prompts: string[];
  /** Images per prompt. */
  imagesPerPrompt: number;
  aspectRatio: AspectRatio;
  mode: GenerationMode;
  inputName?: string;
  provider: ProviderSummary;
  startedAt: number;
}

export function createRun(options: NewRun): BatchRun {
  const prompts = options.prompts.length > 0 ? options.prompts : [''];
  return {
    clientId: options.clientId,
    batchId: null,
    prompt: prompts[0]!,
    prompts,
    aspectRatio: options.aspectRatio,
    mode: options.mode,
    ...(options.inputName ? { inputName: options.inputName } : {}),
    provider: options.provider,
    startedAt: options.startedAt,
    endedAt: null,
    status: 'running',
    slots: createSlots(prompts, prompts.length * options.imagesPerPrompt),
    succeeded: 0,
    failed: 0,
    finished: 0,
    etaMs: null,
    lastSequence: -1,
  };
}

/** The prompt of image `index` (1-based) when `count` images are made from `prompts`, prompt 1's first. */
export function promptOfIndex(prompts: string[], count: number, index: number): string {
  const imagesPerPrompt = Math.max(1, Math.round(count / prompts.length));
  return prompts[Math.min(prompts.length - 1, Math.floor((index - 1) / imagesPerPrompt))] ?? '';
}

function createSlots(prompts: string[], count: number, existing: Slot[] = []): Slot[] {
  return Array.from(
    { length: count },
    (_, offset) => existing[offset] ?? { index: offset + 1, prompt: promptOfIndex(prompts, count, offset + 1), status: 'queued', attempt: 0 },
  );
}

const isUnfinished = (slot: Slot) => slot.status === 'queued' || slot.status === 'running';

function updateSlot(run: BatchRun, index: number, update: (slot: Slot) => Slot): Slot[] {
  return run.slots.map((slot) => (slot.index === index ? update(slot) : slot));
}

/** Applies one validated server event. `receivedAt` is the client clock, `image` the decoded picture of a success. */
export function applyProgressEvent(run: BatchRun, event: ProgressEvent, receivedAt: number, image?: GeneratedImage): BatchRun {
  if (run.status !== 'running') return run;
  if (run.batchId !== null && event.batchId !== run.batchId) return run;
  if (event.sequence <= run.lastSequence) return run;

  const counted: BatchRun = {
    ...run,
    batchId: event.batchId,
    lastSequence: event.sequence,
    succeeded: Math.max(run.succeeded, event.completed),
    failed: Math.max(run.failed, event.failed),
    finished: Math.min(event.total, Math.max(run.finished, event.completed + event.failed)),
    etaMs: event.etaMs,
  };

  switch (event.type) {
    case 'batch-start':
      return {
        ...counted,
        provider: { id: event.provider, model: event.model, isDemo: event.isDemo },
        mode: event.mode,
        slots: event.total === run.slots.length ? run.slots : createSlots(run.prompts, event.total, run.slots),
      };
    case 'item-start':
      return {
        ...counted,
        slots: updateSlot(run, event.index, ({ retry: _retry, progress: _progress, ...slot }) => ({ ...slot, status: 'running', attempt: event.attempt })),
      };
    case 'item-retry':
      return {
        ...counted,
        slots: updateSlot(run, event.index, ({ progress: _progress, ...slot }) => ({
          ...slot,
          status: 'running',
          attempt: event.attempt,
          retry: { delayMs: event.delayMs, receivedAt, reason: event.error },
        })),
      };
    case 'item-end':
      return {
        ...counted,
        slots: updateSlot(run, event.index, (slot) => {
          const { retry: _retry, progress: _progress, ...rest } = slot;
          if (event.status === 'succeeded' && image) return { ...rest, status: 'succeeded', image };
          if (event.status === 'canceled') return { ...rest, status: 'canceled' };
          return {
            ...rest,
            status: 'failed',
            error: event.error ?? (event.status === 'succeeded' ? 'The image could not be shown' : 'Failed'),
            ...(event.details ? { details: event.details } : {}),
          };
        }),
      };
    case 'batch-end':
      return {
        ...counted,
        status: event.status,
        endedAt: receivedAt,
        etaMs: null,
        finished: event.status === 'canceled' ? counted.finished : event.total,
        slots: counted.slots.map((slot) => (isUnfinished(slot) ? { ...slot, status: 'canceled', retry: undefined } : slot)),
      };
  }
}

/** A running image's step report: shown on its tile until the image ends (or its call is retried). */
export function applyItemProgress(run: BatchRun, progress: ItemProgressEvent): BatchRun {
  if (run.status !== 'running' || (run.batchId !== null && progress.batchId !== run.batchId)) return run;
  const slot = run.slots.find((candidate) => candidate.index === progress.index);
  if (!slot || slot.status !== 'running' || slot.retry) return run;
  if (slot.progress?.step === progress.step && slot.progress.totalSteps === progress.totalSteps) return run;
  return { ...run, slots: updateSlot(run, progress.index, (current) => ({ ...current, progress: { step: progress.step, totalSteps: progress.totalSteps } })) };
}

export type Tone = 'success' | 'warning' | 'error' | 'info';

export interface Outcome {
  tone: Tone;
  title: string;
  description?: string;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** "Failed: image 2 (Blocked by the safety filter), image 4 (Timed out)" */
export function describeFailures(run: BatchRun): string | undefined {
  const failures = run.slots.filter((slot) => slot.status === 'failed');
  if (failures.length === 0) return undefined;
  return `Failed: ${failures.map((slot) => `image ${slot.index} (${slot.error ?? 'Failed'})`).join(', ')}`;
}

/** What the end-of-batch notification says. */
export function describeOutcome(run: BatchRun): Outcome {
  const total = run.slots.length;
  const succeeded = run.slots.filter((slot) => slot.status === 'succeeded').length;
  const failed = run.slots.filter((slot) => slot.status === 'failed').length;
  const failures = describeFailures(run);
  const withFailures = (outcome: Outcome): Outcome => (failures ? { ...outcome, description: failures } : outcome);

  if (run.status === 'canceled') {
    return withFailures({ tone: 'info', title: `Canceled. Generated ${succeeded} of ${plural(total, 'image')}.` });
  }
  if (succeeded === total) {
    return { tone: 'success', title: `Successfully generated ${plural(total, 'image')}.` };
  }
  if (succeeded > 0) {
    return withFailures({ tone: 'warning', title: `Successfully generated ${succeeded} of ${plural(total, 'image')}. ${failed} failed.` });
  }
  return withFailures({
    tone: 'error',
    title: total === 1 ? 'The image failed.' : `All ${total} images failed.`,
  });
}
