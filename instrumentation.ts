/**
 * Next.js calls `register` once when a server instance starts (never during `next build`). The
 * batch worker runs in the Node.js server process only: the edge runtime has no file system.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  const { refuseUnsupportedRequests } = await import('./lib/server/unsupported-requests');
  refuseUnsupportedRequests();
  const { startBatchWorker } = await import('./lib/server/start-batch-worker');
  await startBatchWorker();
}
