import { z } from 'zod';
import type { ImageProgress } from '@/lib/core';

/**
 * ComfyUI's websocket (`/ws?clientId=`), as `server.py` and `main.py` speak it: messages about a
 * prompt go to the client id that queued it, as JSON text `{type, data}` (binary frames are
 * previews, ignored here). We read three things of our prompts: `progress` (`value` of `max`: the
 * sampler's steps), and the end: `executing` with `node: null` (sent after the history entry is
 * written), or `execution_success` / `execution_error` / `execution_interrupted`.
 *
 * The socket only makes things sooner and richer: completion is still confirmed from `/history`,
 * so a socket that cannot connect (an old server, a proxy without websockets) costs nothing but
 * the step progress. One socket per adapter, opened on first use, kept while prompts are watched,
 * closed when idle; after a failed connection it is not tried again for `retryAfterMs`.
 */

export interface PromptWatch {
  onProgress?: (progress: ImageProgress) => void;
  /** The prompt has ended (well or not): its history entry is there to read. */
  onEnded: () => void;
}

export interface ComfyUISocket {
  /** Follows one prompt's messages (register before queuing it, under our own prompt id). Returns `unwatch`. */
  watch(promptId: string, watch: PromptWatch): () => void;
  /** Resolves true once the socket is open, false when it could not open within `timeoutMs`. Never rejects. */
  whenOpen(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export interface ComfyUISocketOptions {
  /** ComfyUI's HTTP base URL (`COMFYUI_URL`); the socket is `ws(s)://` + its host and path + `/ws`. */
  baseUrl: string;
  clientId: string;
  /** Close the socket after this long without a watched prompt. @default 30000 */
  idleCloseMs?: number;
  /** After a connection failed, wait this long before trying again. @default 30000 */
  retryAfterMs?: number;
}

const messageSchema = z.looseObject({
  type: z.string(),
  data: z.looseObject({ prompt_id: z.string().optional(), node: z.string().nullish(), value: z.number().optional(), max: z.number().optional() }),
});

const endingTypes = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

export function socketUrlOf(baseUrl: string, clientId: string): string {
  const url = new URL('ws', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('clientId', clientId);
  return url.toString();
}

export function createComfyUISocket({ baseUrl, clientId, idleCloseMs = 30_000, retryAfterMs = 30_000 }: ComfyUISocketOptions): ComfyUISocket {
  const watches = new Map<string, PromptWatch>();
  let socket: WebSocket | undefined;
  let opened: Promise<boolean> | undefined;
  let failedAtMs = Number.NEGATIVE_INFINITY;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const onMessage = (event: MessageEvent) => {
    if (typeof event.data !== 'string') return;
    let parsed;
    try {
      parsed = messageSchema.safeParse(JSON.parse(event.data));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const { type, data } = parsed.data;
    const watch = data.prompt_id === undefined ? undefined : watches.get(data.prompt_id);
    if (!watch) return;
    if (type === 'progress' && data.value !== undefined && data.max !== undefined) {
      watch.onProgress?.({ step: data.value, totalSteps: data.max });
    } else if ((type === 'executing' && data.node === null) || endingTypes.has(type)) {
      watch.onEnded();
    }
  };

  const open = (): Promise<boolean> => {
    if (opened) return opened;
    if (Date.now() - failedAtMs < retryAfterMs) return Promise.resolve(false);
    const current = new WebSocket(socketUrlOf(baseUrl, clientId));
    current.binaryType = 'arraybuffer';
    socket = current;
    opened = new Promise<boolean>((resolve) => {
      current.addEventListener('open', () => resolve(true), { once: true });
      current.addEventListener('error', () => resolve(false), { once: true });
      current.addEventListener('close', () => {
        resolve(false);
        // Closed (the server restarted, or we closed it): the next watch opens a new one.
        if (socket === current) {
          socket = undefined;
          opened = undefined;
        }
      });
    });
    opened.then((isOpen) => {
      if (!isOpen) failedAtMs = Date.now();
    });
    current.addEventListener('message', onMessage);
    return opened;
  };

  const closeSocket = () => {
    const current = socket;
    socket = undefined;
    opened = undefined;
    current?.close();
  };

  const scheduleIdleClose = () => {
    clearTimeout(idleTimer);
    if (watches.size > 0) return;
    idleTimer = setTimeout(closeSocket, idleCloseMs);
    // An idle socket must not keep a process (the CLI, a test) alive.
    (idleTimer as { unref?: () => void }).unref?.();
  };

  return {
    watch(promptId, watch) {
      clearTimeout(idleTimer);
      watches.set(promptId, watch);
      void open();
      return () => {
        if (watches.get(promptId) === watch) watches.delete(promptId);
        scheduleIdleClose();
      };
    },
    whenOpen(timeoutMs) {
      const isOpen = open();
      return Promise.race([isOpen, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref?.())]);
    },
    close() {
      clearTimeout(idleTimer);
      watches.clear();
      closeSocket();
    },
  };
}
