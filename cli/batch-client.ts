import type { BatchView, ProgressEvent } from '@/lib/core';

/**
 * The batch API as the command uses it, over one of two transports: this process's own engine and
 * DATA_DIR (local-batch-client.ts), or a running server over HTTP (remote-batch-client.ts). The
 * command's flow is the same for both.
 */
export interface BatchClient {
  /** Where the batches run, for messages: `DATA_DIR ./data` or the server's URL. */
  readonly location: string;
  /** `POST /api/batches` with the command's form; a `UsageError` for a request the API refuses. */
  create(form: FormData): Promise<BatchView>;
  /** The batch with its items; a `UsageError` when there is no such batch. */
  get(batchId: string): Promise<BatchView>;
  /** Requeues the failed and canceled items of an ended batch. */
  retry(batchId: string): Promise<BatchView>;
  /** Cancels the queued items and aborts the calls in flight; what was made stays. */
  cancel(batchId: string): Promise<void>;
  /** Calls `onEvent` with each event after `afterSequence`; resolves after `batch-end`, or when `signal` aborts. */
  follow(batchId: string, afterSequence: number, onEvent: (event: ProgressEvent) => void, signal: AbortSignal): Promise<void>;
  /** A stored image's bytes. */
  readImage(imageId: string): Promise<{ bytes: Uint8Array; mimeType: string }>;
  /** Lets go of what the client holds (the local engine stops; calls still in flight are requeued). */
  close(): Promise<void>;
}
