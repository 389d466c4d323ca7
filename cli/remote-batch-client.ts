import { batchViewSchema, isFinishedBatchStatus, progressEventSchema, type BatchView } from '@/lib/core';
import type { BatchClient } from './batch-client';
import { readServerSentEvents } from './server-sent-events';
import { UsageError, usageErrorFromField } from './usage-error';

/** Times the event stream is reopened (from the last event received) after the connection drops. */
const maxReconnects = 5;
const reconnectDelayMs = 1_000;

/**
 * The batch API of a running server (`--server`, `IMAGEGEN_SERVER`), with `IMAGEGEN_TOKEN` as a
 * Bearer token when the server has accounts. Images are downloaded from the URLs its events name.
 */
export function createRemoteBatchClient(serverUrl: string, token: string | undefined): BatchClient {
  const base = parseServerUrl(serverUrl);
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(path, base);
    try {
      return await fetch(url, { ...init, headers: { ...authorization, ...(init.headers as Record<string, string> | undefined) } });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new Error(`Cannot reach the server at ${base.origin}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`);
    }
  };
  const batchOf = async (response: Response): Promise<BatchView> => {
    const body = (await response.json()) as { batch?: unknown };
    return batchViewSchema.parse('batch' in body ? body.batch : body);
  };

  const client: BatchClient = {
    location: base.origin,
    async create(form) {
      return batchOf(await expectOk(await request('/api/batches', { method: 'POST', body: form })));
    },
    async get(batchId) {
      return batchOf(await expectOk(await request(batchPath(batchId))));
    },
    async retry(batchId) {
      return batchOf(await expectOk(await request(`${batchPath(batchId)}/retry`, { method: 'POST' })));
    },
    async cancel(batchId) {
      await expectOk(await request(`${batchPath(batchId)}/cancel`, { method: 'POST' }));
    },
    async follow(batchId, afterSequence, onEvent, signal) {
      let lastSequence = afterSequence;
      for (let attempt = 0; attempt <= maxReconnects && !signal.aborted; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
        const response = await expectOk(
          await request(`${batchPath(batchId)}/events`, {
            headers: { accept: 'text/event-stream', 'last-event-id': String(lastSequence) },
            signal,
          }),
        ).catch((error: unknown) => {
          if (signal.aborted) return undefined;
          throw error;
        });
        if (!response?.body) return;
        try {
          for await (const message of readServerSentEvents(response.body)) {
            // Live-only messages (a running image's `item-progress` steps) carry no id: this command
            // counts images, and a message it does not know must not end the run.
            if (message.id === undefined) continue;
            const event = progressEventSchema.parse(JSON.parse(message.data));
            lastSequence = event.sequence;
            onEvent(event);
            if (event.type === 'batch-end') return;
          }
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof SyntaxError || (error as Error).name === 'ZodError') throw new Error(`The server sent an event this command does not understand: ${(error as Error).message}`);
          // The connection dropped: reopen it from the last event received.
        }
        // A stream that closes without a batch-end: the batch had already ended, or the connection dropped.
        if (!signal.aborted && isFinishedBatchStatus((await client.get(batchId)).status)) return;
      }
      if (!signal.aborted) throw new Error(`Lost the event stream of batch ${batchId} from ${base.origin}.`);
    },
    async readImage(imageId) {
      const response = await expectOk(await request(`/api/images/${encodeURIComponent(imageId)}`));
      return { bytes: new Uint8Array(await response.arrayBuffer()), mimeType: response.headers.get('content-type') ?? 'application/octet-stream' };
    },
    async close() {},
  };
  return client;
}

function batchPath(batchId: string): string {
  return `/api/batches/${encodeURIComponent(batchId)}`;
}

function parseServerUrl(serverUrl: string): URL {
  try {
    const url = new URL(serverUrl);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // Said below.
  }
  throw new UsageError(`--server ${serverUrl}: give the server's address, e.g. http://127.0.0.1:3000.`);
}

/** The response when it is a success; the API's `{ error, field }` said in the command's terms otherwise. */
async function expectOk(response: Response): Promise<Response> {
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as { error?: unknown; field?: unknown };
  const message = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
  if (response.status === 400 || response.status === 404 || response.status === 413) {
    return Promise.reject(usageErrorFromField(message, typeof body.field === 'string' ? body.field : undefined));
  }
  if (response.status === 401 || response.status === 403) {
    return Promise.reject(new UsageError(`The server refused the request (${response.status}): ${message} Set IMAGEGEN_TOKEN to an API token of your account.`));
  }
  return Promise.reject(new Error(`The server answered ${response.status}: ${message}`));
}
