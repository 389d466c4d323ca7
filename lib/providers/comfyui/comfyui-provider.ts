import { ProviderError, sleep, type ImageProvider } from '@/lib/core';
import { checkedImage } from '../shared/checked-image';
import { classifyComfyUIFetchError, classifyExecutionError, executionErrorSchema } from './classify-comfyui-error';
import { createComfyUIClient, type ComfyUIClient, type FileReference, type HistoryEntry } from './comfyui-client';
import { createComfyUISocket } from './comfyui-socket';
import { comfyUISizeFor } from './comfyui-size';
import { fillWorkflow, type WorkflowTemplate } from './workflow-template';

export interface ComfyUIProviderOptions {
  /** The ComfyUI server, e.g. `http://127.0.0.1:8188`. */
  baseUrl: string;
  /** The text-to-image workflow and its mapping. */
  textToImage: WorkflowTemplate;
  /** The image-to-image workflow and its mapping (its mapping must name `inputImage`). Without it, input images are refused. */
  imageToImage?: WorkflowTemplate;
  /** The model id this adapter reports (the workflow's name). @default `workflow` */
  modelId?: string;
  /** Timeout of one image, queueing and rendering included. @default 600000 (10 minutes: local GPUs are slow) */
  timeoutMs?: number;
  /** How often `/history` is asked whether the prompt is done (the websocket's end message asks at once). @default 500 */
  pollIntervalMs?: number;
  /**
   * Before the first prompt, how long to wait for the websocket to open (step progress and a quick
   * end come through it; without it, polling alone). @default 2000
   */
  socketOpenTimeoutMs?: number;
  /**
   * A fixed base seed: image n of a batch gets `seedBase + n - 1`, so a batch can be made again.
   * @default a random seed per image
   */
  seedBase?: number;
  /** Random seeds, replaceable in tests. @default a random integer below 2^48 */
  randomSeed?: () => number;
}

/** Time allowed for cancelling a prompt on the server after the caller gave up. */
const cancelTimeoutMs = 5_000;

/**
 * The ComfyUI adapter: fills a workflow template (prompt, size, seed, input image) by node id and
 * input name, queues it with `POST /prompt`, polls `GET /history/{id}` until it has finished and
 * fetches the first saved image with `GET /view`. An abort takes the prompt off the server: an
 * interrupt when it is the running one, a queue delete while it waits.
 */
export function createComfyUIProvider(options: ComfyUIProviderOptions): ImageProvider {
  const { textToImage, imageToImage, timeoutMs = 600_000, pollIntervalMs = 500, socketOpenTimeoutMs = 2_000, seedBase } = options;
  const randomSeed = options.randomSeed ?? (() => Math.floor(Math.random() * 2 ** 48));
  const client = createComfyUIClient(options.baseUrl);
  // One client id per adapter: ComfyUI sends a prompt's websocket messages to the client that queued it.
  const clientId = crypto.randomUUID();
  const socket = createComfyUISocket({ baseUrl: options.baseUrl, clientId });

  return {
    id: 'comfyui',
    modelId: options.modelId ?? 'workflow',
    isDemo: false,
    async generate(request, signal) {
      signal?.throwIfAborted();
      const inputImages = request.inputImages ?? [];
      const template = inputImages.length > 0 ? imageToImage : textToImage;
      if (!template) throw new ProviderError('invalid_request', 'This ComfyUI setup has no image-to-image workflow (set COMFYUI_IMAGE_WORKFLOW)');
      const callSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);

      const warnings: string[] = [];
      const size = comfyUISizeFor(request, template);
      if (size) warnings.push(...size.warnings);
      if (inputImages.length > 1) warnings.push(`only the first of ${inputImages.length} input images is used (the workflow has one LoadImage)`);
      // The request's seed (the batch's seed + index - 1) first, then COMFYUI_SEED's, else a random one.
      const seed = request.seed ?? (seedBase === undefined ? randomSeed() : seedBase + request.index - 1);
      for (const [option, value] of [['negativePrompt', request.negativePrompt], ['steps', request.steps], ['cfgScale', request.cfgScale]] as const) {
        if (value !== undefined && !template.mapping[option]) warnings.push(`the workflow mapping has no ${option}: the template's value is used`);
      }
      if (!template.mapping.seed) warnings.push('the workflow mapping has no seed: the seed in the template is used');

      try {
        const inputImage = inputImages[0] ? await client.uploadImage(inputImages[0], callSignal) : undefined;
        const workflow = fillWorkflow(template, {
          prompt: request.prompt,
          negativePrompt: request.negativePrompt,
          steps: request.steps,
          cfgScale: request.cfgScale,
          seed,
          width: size?.width,
          height: size?.height,
          inputImage,
        });
        // Our own prompt id (server.py takes `prompt_id`): an abort while POST /prompt is in flight
        // can still find and cancel the prompt it may have queued, and the socket can watch it
        // before it starts.
        let promptId: string = crypto.randomUUID();
        const wakeUps = createWakeUps();
        const watch = { ...(request.onProgress ? { onProgress: request.onProgress } : {}), onEnded: () => wakeUps.wake() };
        let unwatch = socket.watch(promptId, watch);
        const entry = await (async () => {
          await socket.whenOpen(socketOpenTimeoutMs);
          const queuedId = await client.queuePrompt(workflow, { clientId, promptId }, callSignal);
          if (queuedId !== promptId) {
            // An older server named it itself: watch that name (its first messages may be missed).
            unwatch();
            promptId = queuedId;
            unwatch = socket.watch(promptId, watch);
          }
          return waitForCompletion(client, promptId, pollIntervalMs, callSignal, wakeUps);
        })()
          .catch(async (error: unknown) => {
            if (callSignal.aborted) await cancelPrompt(client, promptId);
            throw error;
          })
          .finally(() => unwatch());
        const file = firstSavedImage(entry);
        const image = checkedImage(await client.view(file, callSignal), 'ComfyUI');
        return { ...image, ...(template.mapping.seed ? { seed } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
      } catch (error) {
        throw classifyComfyUIFetchError(error, signal);
      }
    },
  };
}

/** Lets the websocket's end message cut a wait between two polls short (once per message). */
function createWakeUps() {
  let current = new AbortController();
  return {
    wake: () => current.abort(),
    /** The signal the next wait ends on; a wake-up that came during the last poll still counts. */
    next(): AbortSignal {
      const signal = current.signal;
      if (signal.aborted) current = new AbortController();
      return signal;
    },
  };
}

/**
 * Polls `/history/{id}` until the entry is there with a final status, then returns it if the run
 * succeeded. The websocket's end message (`executing {node: null}`, sent once the history entry is
 * written) wakes the poll at once; polling alone still gets there (no socket, a missed message, a
 * server restart between two polls).
 */
async function waitForCompletion(
  client: ComfyUIClient,
  promptId: string,
  pollIntervalMs: number,
  signal: AbortSignal,
  wakeUps: ReturnType<typeof createWakeUps>,
): Promise<HistoryEntry> {
  for (let poll = 1; ; poll += 1) {
    const entry = await client.history(promptId, signal);
    if (entry && isFinished(entry)) {
      throwIfFailed(entry);
      return entry;
    }
    if (poll % pollsPerQueueCheck === 0 && (await client.queuePosition(promptId, signal)) === 'absent') {
      // Neither queued nor running: it may have ended between the two requests; else it is gone
      // (the server restarted, or someone deleted it) and waiting would only run into the timeout.
      const lastLook = await client.history(promptId, signal);
      if (lastLook && isFinished(lastLook)) continue;
      throw new ProviderError('transient', 'ComfyUI no longer has the prompt (restarted, or deleted from its queue)');
    }
    const wakeUp = wakeUps.next();
    if (wakeUp.aborted) continue;
    await sleep(pollIntervalMs, AbortSignal.any([signal, wakeUp])).catch((error: unknown) => {
      if (signal.aborted) throw error;
    });
  }
}

/** Every this many polls without a result, `/queue` is asked whether the prompt still exists. */
const pollsPerQueueCheck = 10;

function isFinished(entry: HistoryEntry): boolean {
  // Older servers wrote history without a status; an entry there meant the run had ended.
  return !entry.status || entry.status.completed === true || entry.status.status_str === 'success' || entry.status.status_str === 'error';
}

function throwIfFailed(entry: HistoryEntry): void {
  const messages = entry.status?.messages ?? [];
  const executionError = messages.find(([event]) => event === 'execution_error');
  if (executionError) {
    const parsed = executionErrorSchema.safeParse(executionError[1]);
    throw classifyExecutionError(parsed.success ? parsed.data : {});
  }
  if (messages.some(([event]) => event === 'execution_interrupted')) {
    // Someone else stopped it (our own cancels never reach here): another run would go through.
    throw new ProviderError('transient', 'The ComfyUI run was interrupted on the server');
  }
  if (entry.status?.status_str === 'error') throw new ProviderError('transient', 'The ComfyUI run ended with an error');
}

/** The first image a SaveImage-like node wrote (`type: output`); previews (`temp`) only when there is nothing else. */
function firstSavedImage(entry: HistoryEntry): FileReference {
  const images = Object.values(entry.outputs).flatMap((output) => output.images ?? []);
  const image = images.find((candidate) => candidate.type === 'output') ?? images[0];
  if (!image) throw new ProviderError('invalid_request', 'The ComfyUI workflow finished without an image: it needs a SaveImage node');
  return image;
}

/**
 * Takes an abandoned prompt off the server, best effort: interrupting is only right when ours is
 * the one running (an interrupt stops whatever runs), deleting only while it is pending.
 */
async function cancelPrompt(client: ComfyUIClient, promptId: string): Promise<void> {
  const signal = AbortSignal.timeout(cancelTimeoutMs);
  try {
    const position = await client.queuePosition(promptId, signal);
    if (position === 'running') await client.interrupt(promptId, signal);
    else if (position === 'pending') await client.deletePending(promptId, signal);
  } catch {
    // The server is gone or slow: nothing more we can do, and the caller's abort is what matters.
  }
}
