import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface NextServer {
  baseURL: string;
  /** The server's process (next start serves in the process it starts as). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * `next start` of the production build (`next build` first) on 127.0.0.1:`port`, in a process group
 * of its own (next renames itself next-server: the group is what stops it), silent logs; resolves
 * once `GET /api/providers` answers. For the bench's page section and the README screenshots.
 */
export async function startNextServer({ port, env }: { port: number; env: Record<string, string> }): Promise<NextServer> {
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn(resolve('node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      PATH: `${resolve('node_modules/.bin')}:${process.env.PATH ?? ''}`,
      NODE_ENV: 'production',
      LOG_LEVEL: 'silent',
      NEXT_TELEMETRY_DISABLED: '1',
      ...env,
    },
    // stderr is kept (its end) to say why the server did not start.
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  // Ended by a signal, a process has no exit code but a signal code: either means gone (stop twice is fine).
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (hasExited() || child.pid === undefined) return;
    const exited = new Promise((done) => child.once('exit', done));
    process.kill(-child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
    if (!hasExited()) process.kill(-child.pid, 'SIGKILL');
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (hasExited()) throw new Error(`next start exited with ${child.exitCode ?? child.signalCode}${stderr ? `:\n${stderr}` : ''}`);
    try {
      const response = await fetch(`${baseURL}/api/providers`);
      if (response.ok) return { baseURL, pid: child.pid!, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer in 2 minutes${stderr ? `:\n${stderr}` : ''}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
