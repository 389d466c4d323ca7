import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { listeningPortOf } from '@/lib/server/testing/listening-port';
import { fileURLToPath } from 'node:url';
import { startNextServer } from '@/lib/server/testing/next-start';

/**
 * The servers the load section can measure, each a process of its own on 127.0.0.1 started with the
 * scenario's environment:
 * - `next-start`: the production server as deployed, `next start` of the build (`next build` first):
 *   Next.js's request handling, proxy.ts (the request guard), the route handlers, the worker started
 *   from instrumentation.ts;
 * - `endpoints`: lib/server/testing/batch-server-process.ts, the same batch endpoint functions and
 *   worker served by bare node:http: what the server costs without Next.js around it.
 */
export type LoadServerTarget = 'next-start' | 'endpoints';
export const loadServerTargets: readonly LoadServerTarget[] = ['next-start', 'endpoints'];

export interface LoadServer {
  baseUrl: string;
  /** The process that serves (for its CPU time). */
  pid: number;
  stop(): Promise<void>;
}

export async function startLoadServer(target: LoadServerTarget, env: Record<string, string>): Promise<LoadServer> {
  if (target === 'endpoints') return startEndpointsServer(env);
  const port = await freePort(nextStartPorts.first, nextStartPorts.last);
  const server = await startNextServer({
    port,
    env: {
      ...env,
      // Accounts stay off (one person on this machine: only loopback is served), whatever the shell
      // running the bench has set; the bench's Host 127.0.0.1:port is one the guard allows.
      ADMIN_PASSWORD: '',
      PUBLIC_URL: '',
      ALLOWED_HOSTS: '',
    },
  });
  return { baseUrl: server.baseURL, pid: server.pid, stop: server.stop };
}

/** Where `next start` listens: clear of the dev server's 3000 and the page section's 3290. */
const nextStartPorts = { first: 3600, last: 3699 };

/** The first port in [first, last] free on 127.0.0.1 now (another run may take it before us: rare, and it fails loudly). */
async function freePort(first: number, last: number): Promise<number> {
  for (let port = first; port <= last; port += 1) {
    const isFree = await new Promise<boolean>((done) => {
      const probe = createServer();
      probe.once('error', () => done(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
    });
    if (isFree) return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${first} and ${last}`);
}

const endpointsEntry = fileURLToPath(new URL('../lib/server/testing/batch-server-process.ts', import.meta.url));
const hooks = fileURLToPath(new URL('../lib/server/testing/typescript-hooks.mjs', import.meta.url));
const endpointsStartTimeoutMs = 30_000;

async function startEndpointsServer(env: Record<string, string>): Promise<LoadServer> {
  const child = spawn(process.execPath, ['--import', hooks, endpointsEntry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    const port = await listeningPortOf(child, endpointsStartTimeoutMs, () => stderr);
    return { baseUrl: `http://127.0.0.1:${port}`, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
