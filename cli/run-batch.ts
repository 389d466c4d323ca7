import { isFinishedBatchStatus, type BatchView } from '@/lib/core';
import type { BatchClient } from './batch-client';
import type { BatchRequestOptions } from './batch-request';
import { toBatchRequestForm } from './batch-request';
import { describeOutcome, toJsonSummary } from './batch-summary';
import { exitCodeFor, exitCodes } from './exit-codes';
import { createProgressReporter } from './progress-reporter';
import { saveBatchImages } from './save-batch-images';

/** How and where the command runs a batch, whatever the batch. */
export interface RunSettings {
  client: BatchClient;
  outDirectory: string;
  /** `--json`: the classic body on stdout. */
  isJson: boolean;
  /** `--server` as given, repeated in the resume command; undefined when running here. */
  serverUrl?: string;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** `imagegen <prompt> …`: a new batch, followed to its end; resolves the exit code. */
export async function generate(request: BatchRequestOptions, settings: RunSettings): Promise<number> {
  const batch = await settings.client.create(await toBatchRequestForm(request));
  const model = `${batch.provider}/${batch.model}${batch.isDemo ? ' (demo: pictures drawn offline, not AI)' : ''}`;
  settings.stderr.write(`Batch ${batch.id}: ${batch.total} image${batch.total === 1 ? '' : 's'} on ${model}, into ${settings.outDirectory}\n`);
  return followToEnd(batch, 0, settings, { keepsExistingFiles: false });
}

/**
 * `imagegen resume <batch-id>`: requeues the failed and canceled images of an ended batch (one
 * still running, say after the command was killed, is simply followed), then writes every image
 * that has no file yet.
 */
export async function resume(batchId: string, settings: RunSettings): Promise<number> {
  let batch = await settings.client.get(batchId);
  const again = batch.failed + batch.canceled;
  // Events before this one belong to earlier runs, whose batch-end must not end this one.
  const afterSequence = batch.lastSequence;
  if (isFinishedBatchStatus(batch.status) && again > 0) batch = await settings.client.retry(batchId);
  const what = isFinishedBatchStatus(batch.status) ? 'nothing to run again' : `${again > 0 ? `${again} image${again === 1 ? '' : 's'} to run again` : 'still running'}`;
  settings.stderr.write(`Batch ${batch.id}: ${what}, into ${settings.outDirectory}\n`);
  return followToEnd(batch, afterSequence, settings, { keepsExistingFiles: true });
}

async function followToEnd(batch: BatchView, afterSequence: number, settings: RunSettings, { keepsExistingFiles }: { keepsExistingFiles: boolean }): Promise<number> {
  const { client, outDirectory, stderr } = settings;
  const reporter = createProgressReporter(stderr, { total: batch.total, completed: batch.succeeded, failed: batch.failed, etaMs: null });
  const quitting = new AbortController();
  let isInterrupted = false;
  const onInterrupt = () => {
    if (isInterrupted) {
      // A second Ctrl-C: stop waiting for the calls being aborted; what is written stays.
      quitting.abort();
      return;
    }
    isInterrupted = true;
    reporter.note('Canceling: calls in flight are aborted, images made are kept (Ctrl-C again to quit at once)…');
    client.cancel(batch.id).catch((error: unknown) => reporter.note(`Could not cancel: ${(error as Error).message}`));
  };
  process.on('SIGINT', onInterrupt);
  try {
    const saved = await saveBatchImages({ client, batch, afterSequence, outDirectory, reporter, signal: quitting.signal, keepsExistingFiles });
    reporter.stop();
    stderr.write(`${describeOutcome(saved.batch, outDirectory)}\n`);
    const left = saved.batch.failed + saved.batch.canceled;
    if (left > 0 || isInterrupted) stderr.write(`${isInterrupted ? 'Canceled. Continue' : 'Run the failed images again'} with: ${resumeCommand(saved.batch.id, settings)}\n`);
    if (settings.isJson) settings.stdout.write(`${JSON.stringify(toJsonSummary(saved.batch, saved.files), null, 2)}\n`);
    return isInterrupted ? exitCodes.interrupted : exitCodeFor(saved.batch);
  } finally {
    reporter.stop();
    process.off('SIGINT', onInterrupt);
  }
}

function resumeCommand(batchId: string, settings: RunSettings): string {
  const server = settings.serverUrl === undefined ? '' : ` --server ${quoteForShell(settings.serverUrl)}`;
  return `imagegen resume ${batchId} --out ${quoteForShell(settings.outDirectory)}${server}`;
}

function quoteForShell(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
