import sharp from 'sharp';
import { WebSocketServer, type WebSocket } from 'ws';
import { startFakeHttpServer, type FakeHttpServer, type RecordedRequest, type ScriptedResponse } from './fake-http-server';

/**
 * A small ComfyUI: the routes of its `server.py` with their documented shapes, and a one-at-a-time
 * executor like its prompt worker. It validates workflows the way `execution.py` does for the
 * nodes it knows (unknown class, missing required input, a link to a missing node, no output node,
 * an unknown checkpoint or input file), "runs" a queued prompt for `runMs` and answers history
 * entries whose SaveImage outputs are real PNGs (made with sharp) at the latent's size.
 *
 * Its websocket (`/ws?clientId=`) speaks like `server.py` and `main.py`: `status` with the `sid`
 * on connect and the queue size to everyone when it changes; to the client that queued the prompt,
 * `execution_start`, `execution_cached`, `executing` per node, the KSampler's `progress` (value of
 * max, its `steps`), `executed` per output node, `execution_success` (or `execution_error` /
 * `execution_interrupted`), and, once the history entry is written, `executing` with `node: null`.
 */

/** What `execution_error` carries when a run is told to fail. */
export interface FakeExecutionError {
  exception_type: string;
  exception_message: string;
  /** @default the KSampler's id */
  node_id?: string;
}

export interface FakeComfyUIServerOptions {
  /** How long a prompt "runs" once it reaches the head of the queue. @default 20 */
  runMs?: number;
  /** Checkpoints CheckpointLoaderSimple accepts. @default ['v1-5-pruned-emaonly.safetensors'] */
  checkpoints?: string[];
  /** False: upgrades to `/ws` are refused, as behind a proxy without websockets. @default true */
  hasWebSocket?: boolean;
}

export interface FakeComfyUIServer extends FakeHttpServer {
  /** The workflows accepted by `POST /prompt`, by prompt id. */
  readonly prompts: Map<string, Record<string, FakeNode>>;
  /** Uploaded input files by name. */
  readonly uploads: Map<string, Uint8Array>;
  /** Stops taking prompts off the queue (they stay pending) until `resume()`. */
  pause(): void;
  resume(): void;
  /** The next run fails with this `execution_error`. */
  failNextRun(error: FakeExecutionError): void;
  /** Changes how long the next runs take. */
  setRunMs(ms: number): void;
  /** Resolves once the prompt is in the state asked for. */
  waitFor(promptId: string | undefined, state: 'pending' | 'running' | 'done'): Promise<string>;
  /** Websocket messages sent, in order, with the client id they went to (`*` for everyone). */
  readonly socketMessages: { clientId: string; type: string; data: Record<string, unknown> }[];
  /** Websocket connections open now. */
  readonly openSockets: number;
}

interface FakeNode {
  class_type: string;
  inputs: Record<string, unknown>;
}

interface Job {
  number: number;
  promptId: string;
  prompt: Record<string, FakeNode>;
  clientId: string;
  state: 'pending' | 'running' | 'done';
  timer?: NodeJS.Timeout;
  progressTimers: NodeJS.Timeout[];
}

/** The node classes this fake knows: required inputs, and whether it is an output node. */
const nodeDefinitions: Record<string, { required: string[]; isOutput?: boolean }> = {
  CheckpointLoaderSimple: { required: ['ckpt_name'] },
  CLIPTextEncode: { required: ['text', 'clip'] },
  EmptyLatentImage: { required: ['width', 'height', 'batch_size'] },
  LoadImage: { required: ['image'] },
  ImageScale: { required: ['image', 'upscale_method', 'width', 'height', 'crop'] },
  VAEEncode: { required: ['pixels', 'vae'] },
  KSampler: { required: ['seed', 'steps', 'cfg', 'sampler_name', 'scheduler', 'denoise', 'model', 'positive', 'negative', 'latent_image'] },
  VAEDecode: { required: ['samples', 'vae'] },
  SaveImage: { required: ['filename_prefix', 'images'], isOutput: true },
  PreviewImage: { required: ['images'], isOutput: true },
};

export async function startFakeComfyUIServer(options: FakeComfyUIServerOptions = {}): Promise<FakeComfyUIServer> {
  let runMs = options.runMs ?? 20;
  const checkpoints = options.checkpoints ?? ['v1-5-pruned-emaonly.safetensors'];
  const jobs: Job[] = [];
  const history = new Map<string, unknown>();
  const files = new Map<string, Uint8Array>();
  const prompts = new Map<string, Record<string, FakeNode>>();
  const uploads = new Map<string, Uint8Array>();
  const stateWaiters: { promptId?: string; state: Job['state']; resolve: (promptId: string) => void }[] = [];
  let isPaused = false;
  let nextFailure: FakeExecutionError | undefined;
  let counter = 0;
  let isClosed = false;
  const socketsByClient = new Map<string, Set<WebSocket>>();
  const socketMessages: FakeComfyUIServer['socketMessages'] = [];

  /** `send_sync(event, data, sid)`: to one client's sockets, or to every socket without a sid. */
  const sendSocket = (clientId: string | undefined, type: string, data: Record<string, unknown>) => {
    socketMessages.push({ clientId: clientId ?? '*', type, data });
    const text = JSON.stringify({ type, data });
    const targets = clientId === undefined ? [...socketsByClient.values()].flatMap((set) => [...set]) : [...(socketsByClient.get(clientId) ?? [])];
    for (const socket of targets) if (socket.readyState === socket.OPEN) socket.send(text);
  };
  const queueStatus = () => ({ status: { exec_info: { queue_remaining: jobs.length } } });
  const toJob = (job: Job, type: string, data: Record<string, unknown> = {}) => sendSocket(job.clientId || undefined, type, { ...data, prompt_id: job.promptId });

  const doneIds = new Set<string>();
  const setState = (job: Job, state: Job['state']) => {
    job.state = state;
    if (state === 'done') doneIds.add(job.promptId);
    for (const waiter of stateWaiters.filter((candidate) => candidate.state === state && (candidate.promptId ?? job.promptId) === job.promptId)) {
      stateWaiters.splice(stateWaiters.indexOf(waiter), 1);
      waiter.resolve(job.promptId);
    }
  };

  const runNext = () => {
    if (isPaused || isClosed || jobs.some((job) => job.state === 'running')) return;
    const job = jobs.find((candidate) => candidate.state === 'pending');
    if (!job) return;
    setState(job, 'running');
    toJob(job, 'execution_start', { timestamp: Date.now() });
    toJob(job, 'execution_cached', { nodes: [], timestamp: Date.now() });
    const samplerId = Object.keys(job.prompt).find((id) => job.prompt[id]!.class_type === 'KSampler');
    for (const nodeId of Object.keys(job.prompt).filter((id) => !nodeDefinitions[job.prompt[id]!.class_type]?.isOutput)) {
      if (nodeId !== samplerId) toJob(job, 'executing', { node: nodeId, display_node: nodeId });
    }
    if (samplerId) {
      toJob(job, 'executing', { node: samplerId, display_node: samplerId });
      const steps = Number(job.prompt[samplerId]!.inputs.steps ?? 20);
      for (let value = 1; value <= steps; value += 1) {
        job.progressTimers.push(setTimeout(() => toJob(job, 'progress', { value, max: steps, node: samplerId }), (runMs * value) / (steps + 1)));
      }
    }
    job.timer = setTimeout(() => {
      finish(job).catch(() => undefined);
    }, runMs);
  };

  const historyEntry = (job: Job, outputs: Record<string, unknown>, status: { status_str: string; completed: boolean; messages: [string, unknown][] }) => ({
    prompt: [job.number, job.promptId, job.prompt, { client_id: job.clientId }, outputNodeIds(job.prompt)],
    outputs,
    status,
    meta: {},
  });

  /** Writes the history entry, then (as main.py's prompt worker) `executing` with `node: null`. */
  const end = (job: Job, entry: unknown) => {
    for (const timer of job.progressTimers) clearTimeout(timer);
    history.set(job.promptId, entry);
    jobs.splice(jobs.indexOf(job), 1);
    setState(job, 'done');
    toJob(job, 'executing', { node: null });
    sendSocket(undefined, 'status', queueStatus());
    runNext();
  };

  const finish = async (job: Job) => {
    const started: [string, unknown] = ['execution_start', { prompt_id: job.promptId, timestamp: Date.now() }];
    const failure = nextFailure;
    if (failure) {
      nextFailure = undefined;
      const nodeId = failure.node_id ?? Object.keys(job.prompt).find((id) => job.prompt[id]!.class_type === 'KSampler') ?? '3';
      const data = {
        prompt_id: job.promptId,
        node_id: nodeId,
        node_type: job.prompt[nodeId]?.class_type ?? 'KSampler',
        executed: [],
        exception_message: failure.exception_message,
        exception_type: failure.exception_type,
        traceback: ['Traceback (most recent call last):\n'],
        current_inputs: {},
        current_outputs: {},
      };
      toJob(job, 'execution_error', data);
      end(job, historyEntry(job, {}, { status_str: 'error', completed: false, messages: [started, ['execution_error', data]] }));
      return;
    }
    const outputs: Record<string, unknown> = {};
    const { width, height } = latentSize(job.prompt);
    const seed = Number(Object.values(job.prompt).find((node) => node.class_type === 'KSampler')?.inputs.seed ?? 0);
    for (const nodeId of outputNodeIds(job.prompt)) {
      const node = job.prompt[nodeId]!;
      const isSave = node.class_type === 'SaveImage';
      counter += 1;
      const filename = `${isSave ? String(node.inputs.filename_prefix) : 'ComfyUI_temp'}_${String(counter).padStart(5, '0')}_.png`;
      const type = isSave ? 'output' : 'temp';
      const png = await sharp({ create: { width, height, channels: 3, background: colorOf(seed) } }).png().toBuffer();
      files.set(fileKey(filename, '', type), new Uint8Array(png));
      outputs[nodeId] = { images: [{ filename, subfolder: '', type }] };
    }
    if (job.state !== 'running') return; // interrupted while the PNG was being made
    for (const [nodeId, output] of Object.entries(outputs)) {
      toJob(job, 'executing', { node: nodeId, display_node: nodeId });
      toJob(job, 'executed', { node: nodeId, display_node: nodeId, output });
    }
    toJob(job, 'execution_success', { timestamp: Date.now() });
    end(job, historyEntry(job, outputs, { status_str: 'success', completed: true, messages: [started, ['execution_success', { prompt_id: job.promptId, timestamp: Date.now() }]] }));
  };

  const interrupt = (promptId: string | undefined) => {
    const running = jobs.find((job) => job.state === 'running');
    // server.py: with a prompt_id, only that prompt is interrupted if it is the one running.
    if (!running || (promptId !== undefined && running.promptId !== promptId)) return;
    clearTimeout(running.timer);
    const data = { prompt_id: running.promptId, node_id: '3', node_type: 'KSampler', executed: [] };
    toJob(running, 'execution_interrupted', data);
    end(running, historyEntry(running, {}, { status_str: 'error', completed: false, messages: [['execution_start', { prompt_id: running.promptId }], ['execution_interrupted', data]] }));
  };

  const queueEntry = (job: Job) => [job.number, job.promptId, job.prompt, { client_id: job.clientId }, outputNodeIds(job.prompt)];

  const route = (request: RecordedRequest): ScriptedResponse | undefined => {
    const url = new URL(request.path, 'http://fake');
    const json = (status: number, body: unknown): ScriptedResponse => ({ status, body });
    if (request.method === 'POST' && url.pathname === '/prompt') {
      const body = request.json as { prompt?: unknown; client_id?: string; prompt_id?: string } | undefined;
      const problem = validatePrompt(body?.prompt, { checkpoints, uploads });
      if (problem) return json(400, problem);
      // server.py: the client may name the prompt (`prompt_id`), else a new uuid.
      const promptId = typeof body?.prompt_id === 'string' ? body.prompt_id : crypto.randomUUID();
      const job: Job = { number: counter++, promptId, prompt: body!.prompt as Record<string, FakeNode>, clientId: body?.client_id ?? '', state: 'pending', progressTimers: [] };
      jobs.push(job);
      sendSocket(undefined, 'status', queueStatus());
      prompts.set(promptId, job.prompt);
      setState(job, 'pending');
      runNext();
      return json(200, { prompt_id: promptId, number: job.number, node_errors: {} });
    }
    if (request.method === 'GET' && url.pathname.startsWith('/history/')) {
      const promptId = decodeURIComponent(url.pathname.slice('/history/'.length));
      const entry = history.get(promptId);
      return json(200, entry ? { [promptId]: entry } : {});
    }
    if (request.method === 'GET' && url.pathname === '/queue') {
      return json(200, {
        queue_running: jobs.filter((job) => job.state === 'running').map(queueEntry),
        queue_pending: jobs.filter((job) => job.state === 'pending').map(queueEntry),
      });
    }
    if (request.method === 'POST' && url.pathname === '/queue') {
      const body = (request.json ?? {}) as { delete?: string[]; clear?: boolean };
      for (const job of [...jobs]) {
        if (job.state === 'pending' && (body.clear || body.delete?.includes(job.promptId))) {
          jobs.splice(jobs.indexOf(job), 1);
          setState(job, 'done');
        }
      }
      return { status: 200 };
    }
    if (request.method === 'POST' && url.pathname === '/interrupt') {
      interrupt((request.json as { prompt_id?: string } | undefined)?.prompt_id);
      return { status: 200 };
    }
    if (request.method === 'POST' && url.pathname === '/upload/image') {
      const image = request.form?.files.find((file) => file.fieldName === 'image');
      if (!image) return { status: 400 };
      const subfolder = request.form?.fields.subfolder ?? '';
      let name = image.filename;
      for (let copy = 1; uploads.has(subfolder ? `${subfolder}/${name}` : name) && request.form?.fields.overwrite !== 'true'; copy += 1) {
        name = image.filename.replace(/(\.[^.]*)?$/, ` (${copy})$1`);
      }
      uploads.set(subfolder ? `${subfolder}/${name}` : name, image.bytes);
      return json(200, { name, subfolder, type: request.form?.fields.type ?? 'input' });
    }
    if (request.method === 'GET' && url.pathname === '/view') {
      const bytes = files.get(fileKey(url.searchParams.get('filename') ?? '', url.searchParams.get('subfolder') ?? '', url.searchParams.get('type') ?? 'output'));
      return bytes ? { status: 200, headers: { 'content-type': 'image/png' }, body: bytes } : { status: 404 };
    }
    return undefined;
  };

  // server.py's websocket_handler: the sid is the clientId asked for, else a new one; `status` first.
  const sockets = new WebSocketServer({ noServer: true });
  sockets.on('connection', (socket: WebSocket, request: { url?: string }) => {
    const clientId = new URL(request.url ?? '/ws', 'http://fake').searchParams.get('clientId') || crypto.randomUUID();
    let set = socketsByClient.get(clientId);
    if (!set) socketsByClient.set(clientId, (set = new Set()));
    set.add(socket);
    socket.on('close', () => set.delete(socket));
    socket.send(JSON.stringify({ type: 'status', data: { ...queueStatus(), sid: clientId } }));
  });
  const server = await startFakeHttpServer({
    name: 'fake ComfyUI',
    route,
    unscripted: () => ({ status: 404, body: '404: Not Found' }),
    onUpgrade: (request, socket, head) => {
      if (options.hasWebSocket === false || new URL(request.url ?? '/', 'http://fake').pathname !== '/ws') return void socket.destroy();
      sockets.handleUpgrade(request, socket, head, (client) => sockets.emit('connection', client, request));
    },
  });
  return {
    ...server,
    socketMessages,
    get openSockets() {
      return [...socketsByClient.values()].reduce((sum, set) => sum + set.size, 0);
    },
    prompts,
    uploads,
    pause: () => {
      isPaused = true;
    },
    resume: () => {
      isPaused = false;
      runNext();
    },
    failNextRun: (error) => {
      nextFailure = error;
    },
    setRunMs: (ms) => {
      runMs = ms;
    },
    waitFor: (promptId, state) => {
      const job = jobs.find((candidate) => promptId === undefined || candidate.promptId === promptId);
      if (job?.state === state) return Promise.resolve(job.promptId);
      if (promptId !== undefined && state === 'done' && doneIds.has(promptId)) return Promise.resolve(promptId);
      return new Promise((resolve) => stateWaiters.push({ ...(promptId !== undefined ? { promptId } : {}), state, resolve }));
    },
    close: async () => {
      isClosed = true;
      for (const job of jobs) {
        clearTimeout(job.timer);
        for (const timer of job.progressTimers) clearTimeout(timer);
      }
      for (const socket of sockets.clients) socket.terminate();
      sockets.close();
      await server.close();
    },
  };
}

function fileKey(filename: string, subfolder: string, type: string): string {
  return `${type}/${subfolder}/${filename}`;
}

function outputNodeIds(prompt: Record<string, FakeNode>): string[] {
  return Object.keys(prompt).filter((id) => nodeDefinitions[prompt[id]!.class_type]?.isOutput);
}

/** The size the image comes out at: the first EmptyLatentImage or ImageScale in the graph. */
function latentSize(prompt: Record<string, FakeNode>): { width: number; height: number } {
  const sizer = Object.values(prompt).find((node) => node.class_type === 'EmptyLatentImage' || node.class_type === 'ImageScale');
  return { width: Number(sizer?.inputs.width ?? 512), height: Number(sizer?.inputs.height ?? 512) };
}

function colorOf(seed: number) {
  return { r: seed % 256, g: Math.floor(seed / 256) % 256, b: 128 };
}

/** `execution.py` `validate_prompt`'s answers, for what this fake knows; undefined when it would run. */
function validatePrompt(prompt: unknown, known: { checkpoints: string[]; uploads: Map<string, Uint8Array> }): unknown {
  const failed = (type: string, message: string, details = '') => ({ error: { type, message, details, extra_info: {} }, node_errors: type === 'prompt_no_outputs' ? [] : {} });
  if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt)) return failed('invalid_prompt', 'Invalid prompt', 'prompt must be an object');
  const nodes = prompt as Record<string, FakeNode>;
  for (const [id, node] of Object.entries(nodes)) {
    if (typeof node?.class_type !== 'string') return failed('invalid_prompt', `Cannot execute because a node is missing the class_type property.`, `Node ID '#${id}'`);
    if (!nodeDefinitions[node.class_type]) return failed('invalid_prompt', `Cannot execute because node ${node.class_type} does not exist.`, `Node ID '#${id}'`);
  }
  if (outputNodeIds(nodes).length === 0) return failed('prompt_no_outputs', 'Prompt has no outputs');
  const nodeErrors: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(nodes)) {
    const errors: unknown[] = [];
    const inputs = node.inputs ?? {};
    for (const name of nodeDefinitions[node.class_type]!.required) {
      const value = inputs[name];
      if (value === undefined) {
        errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: name, extra_info: { input_name: name } });
      } else if (Array.isArray(value) && !nodes[String(value[0])]) {
        errors.push({ type: 'exception_during_inner_validation', message: 'Exception when validating inner node', details: `node ${String(value[0])} does not exist`, extra_info: { input_name: name } });
      }
    }
    if (node.class_type === 'CheckpointLoaderSimple' && inputs.ckpt_name !== undefined && !known.checkpoints.includes(String(inputs.ckpt_name))) {
      errors.push({ type: 'value_not_in_list', message: 'Value not in list', details: `ckpt_name: '${String(inputs.ckpt_name)}' not in ${JSON.stringify(known.checkpoints)}`, extra_info: { input_name: 'ckpt_name' } });
    }
    if (node.class_type === 'LoadImage' && inputs.image !== undefined && !known.uploads.has(String(inputs.image))) {
      errors.push({ type: 'custom_validation_failed', message: 'Custom validation failed for node', details: `image - Invalid image file: ${String(inputs.image)}`, extra_info: { input_name: 'image' } });
    }
    if (errors.length > 0) nodeErrors[id] = { errors, dependent_outputs: outputNodeIds(nodes), class_type: node.class_type };
  }
  if (Object.keys(nodeErrors).length === 0) return undefined;
  return { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} }, node_errors: nodeErrors };
}
