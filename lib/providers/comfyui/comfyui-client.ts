import { z } from 'zod';
import { ProviderError, type InputImage } from '@/lib/core';
import { sanitizeDetails } from '../shared/error-helpers';
import { classifyComfyUIFetchError, classifyPromptRejection } from './classify-comfyui-error';
import type { ApiWorkflow } from './workflow-template';

/**
 * ComfyUI's HTTP API as server.py serves it, one function per route, each answer checked with zod.
 * Every call takes the signal that bounds it (the caller's abort and the call's deadline).
 */

const queuedPromptSchema = z.looseObject({ prompt_id: z.string().min(1), number: z.number().optional(), node_errors: z.unknown().optional() });

/** A file reference as `/upload/image` answers and `/history` outputs list it. */
export const fileReferenceSchema = z.looseObject({ filename: z.string().min(1), subfolder: z.string().default(''), type: z.string().default('output') });
export type FileReference = z.output<typeof fileReferenceSchema>;

const uploadedImageSchema = z.looseObject({ name: z.string().min(1), subfolder: z.string().default(''), type: z.string().default('input') });

/** One `/history/{id}` entry: outputs per node and the run's status with its event messages. */
export const historyEntrySchema = z.looseObject({
  outputs: z.record(z.string(), z.looseObject({ images: z.array(fileReferenceSchema).optional() })).default({}),
  status: z
    .looseObject({
      status_str: z.string().optional(),
      completed: z.boolean().optional(),
      messages: z.array(z.tuple([z.string(), z.unknown()])).default([]),
    })
    .optional(),
});
export type HistoryEntry = z.output<typeof historyEntrySchema>;

/** `/queue`: each entry is `[number, prompt_id, prompt, extra_data, outputs_to_execute]`. */
const queueSchema = z.looseObject({
  queue_running: z.array(z.array(z.unknown())).default([]),
  queue_pending: z.array(z.array(z.unknown())).default([]),
});

export interface ComfyUIClient {
  /**
   * Queues a workflow under our prompt id; answers the id the server uses (older servers pick
   * their own). A validation failure throws `invalid_request` with the node errors.
   */
  queuePrompt(workflow: ApiWorkflow, ids: { clientId: string; promptId: string }, signal: AbortSignal): Promise<string>;
  /** The prompt's history entry, or undefined while it has none (queued or running). */
  history(promptId: string, signal: AbortSignal): Promise<HistoryEntry | undefined>;
  /** The bytes of an output file. */
  view(file: FileReference, signal: AbortSignal): Promise<Uint8Array>;
  /** Uploads an input image; answers the name a LoadImage node takes (`subfolder/name` when in one). */
  uploadImage(image: InputImage, signal: AbortSignal): Promise<string>;
  /** Where the prompt is: running, still pending, or neither (finished or unknown). */
  queuePosition(promptId: string, signal: AbortSignal): Promise<'running' | 'pending' | 'absent'>;
  /** Stops the running prompt (sent with its id: newer servers only interrupt that one). */
  interrupt(promptId: string, signal: AbortSignal): Promise<void>;
  /** Removes a pending prompt from the queue. */
  deletePending(promptId: string, signal: AbortSignal): Promise<void>;
}

const extensionByMimeType: Record<InputImage['mimeType'], string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

export function createComfyUIClient(baseUrl: string): ComfyUIClient {
  const urlOf = (path: string) => new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);

  async function call(path: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
    try {
      return await fetch(urlOf(path), init);
    } catch (error) {
      throw classifyComfyUIFetchError(error, init.signal);
    }
  }

  async function readJson<T>(response: Response, schema: z.ZodType<T>, what: string, signal: AbortSignal): Promise<T> {
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw signal.aborted ? classifyComfyUIFetchError(error, signal) : new ProviderError('transient', `ComfyUI sent a ${what} that is not JSON`, { status: response.status });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ProviderError('transient', `ComfyUI sent an unexpected ${what}`, { status: response.status, details: sanitizeDetails(parsed.error.message, []) });
    }
    return parsed.data;
  }

  async function expectOk(response: Response, what: string): Promise<void> {
    if (response.ok) return;
    const text = await response.text().catch(() => '');
    // A 404 on a route ComfyUI always has means the URL points at something else: still the server's side.
    throw new ProviderError(response.status === 400 ? 'invalid_request' : 'transient', `ComfyUI answered HTTP ${response.status} to ${what}`, {
      status: response.status,
      details: sanitizeDetails(text, []),
    });
  }

  const postJson = (path: string, body: unknown, signal: AbortSignal) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

  return {
    async queuePrompt(workflow, { clientId, promptId }, signal) {
      const response = await postJson('prompt', { prompt: workflow, client_id: clientId, prompt_id: promptId }, signal);
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON (a proxy's page): classified from the status and the text.
        }
        throw classifyPromptRejection(response.status, body);
      }
      return (await readJson(response, queuedPromptSchema, 'prompt answer', signal)).prompt_id;
    },
    async history(promptId, signal) {
      const response = await call(`history/${encodeURIComponent(promptId)}`, { signal });
      await expectOk(response, 'GET /history');
      const entries = await readJson(response, z.record(z.string(), z.unknown()), 'history', signal);
      if (!(promptId in entries)) return undefined;
      const parsed = historyEntrySchema.safeParse(entries[promptId]);
      if (!parsed.success) throw new ProviderError('transient', 'ComfyUI sent an unexpected history entry', { details: sanitizeDetails(parsed.error.message, []) });
      return parsed.data;
    },
    async view(file, signal) {
      const query = new URLSearchParams({ filename: file.filename, subfolder: file.subfolder, type: file.type });
      const response = await call(`view?${query}`, { signal });
      await expectOk(response, 'GET /view');
      try {
        return new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        throw classifyComfyUIFetchError(error, signal);
      }
    },
    async uploadImage(image, signal) {
      const form = new FormData();
      // A fresh name per upload, so two requests never overwrite each other's input.
      const name = `imagegen-${crypto.randomUUID()}.${extensionByMimeType[image.mimeType]}`;
      form.append('image', new Blob([new Uint8Array(image.bytes)], { type: image.mimeType }), name);
      form.append('type', 'input');
      const response = await call('upload/image', { method: 'POST', body: form, signal });
      await expectOk(response, 'POST /upload/image');
      const uploaded = await readJson(response, uploadedImageSchema, 'upload answer', signal);
      return uploaded.subfolder ? `${uploaded.subfolder}/${uploaded.name}` : uploaded.name;
    },
    async queuePosition(promptId, signal) {
      const response = await call('queue', { signal });
      await expectOk(response, 'GET /queue');
      const queue = await readJson(response, queueSchema, 'queue', signal);
      if (queue.queue_running.some((entry) => entry[1] === promptId)) return 'running';
      if (queue.queue_pending.some((entry) => entry[1] === promptId)) return 'pending';
      return 'absent';
    },
    async interrupt(promptId, signal) {
      await expectOk(await postJson('interrupt', { prompt_id: promptId }, signal), 'POST /interrupt');
    },
    async deletePending(promptId, signal) {
      await expectOk(await postJson('queue', { delete: [promptId] }, signal), 'POST /queue');
    },
  };
}
