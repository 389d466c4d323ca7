import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { listeningPortOf } from './listening-port';

const hooksPath = fileURLToPath(new URL('./typescript-hooks.mjs', import.meta.url));
const entryPath = fileURLToPath(new URL('./batch-server-process.ts', import.meta.url));

export interface SpawnedBatchServer {
  child: ChildProcess;
  baseUrl: string;
  /** `kill -9`: no shutdown code runs, exactly like a crash or a power cut. */
  killHard(): Promise<void>;
}

/**
 * Starts `batch-server-process.ts` in a real Node process (this one's binary) with these
 * environment variables, and resolves once it listens. Killed when the test finishes.
 */
export async function spawnBatchServer(env: Record<string, string>, startTimeoutMs = 30_000): Promise<SpawnedBatchServer> {
  const child = spawn(process.execPath, ['--import', hooksPath, entryPath], {
    env: { ...process.env, GEMINI_API_KEY: '', OPENAI_API_KEY: '', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const port = await listeningPortOf(child, startTimeoutMs, () => stderr);

  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    async killHard() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
