/**
 * `npm run worker`: a worker process and nothing else. It runs the queued batches of the shared
 * database (DATABASE_URL) with the server's providers, pacing and retry settings, and hears new
 * work, cancels and events from the web processes over REDIS_URL. Any number may run, on any
 * machine that reaches the same services. Stops cleanly on SIGINT / SIGTERM (items in flight go
 * back to the queue when their lease expires, or at once at the next start).
 */
import { createApp } from '@/lib/server';
import { logEvent } from '@/lib/server/logger';

const app = createApp({ ...process.env, WORKER: 'on' }, { servesHttp: false });
if (app.config.DATABASE_URL === undefined) {
  console.error('npm run worker needs DATABASE_URL (and REDIS_URL): a worker of its own on the embedded SQLite file is what `npm start` already runs.');
  process.exit(1);
}
try {
  await app.batches();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
logEvent('worker-started', { crossProcess: app.config.REDIS_URL === undefined ? 'none' : 'redis' });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logEvent('worker-stopping', { signal });
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
