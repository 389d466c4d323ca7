import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const launcherPath = fileURLToPath(new URL('../../bin/imagegen.mjs', import.meta.url));

/** A running `imagegen` child process (the real launcher, as `npx imagegen` runs it). */
export interface ImagegenProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr has a line matching `pattern` (the progress output). */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit code once it ends. */
  exited: Promise<number | null>;
}

export interface ImagegenResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A fresh directory to run in (removed after the test): `cwd` for the command, its DATA_DIR
 * inside, and the environment of a fast offline run (the demo provider, no pacing gap, no keys).
 */
export async function useImagegenWorkspace(env: Record<string, string> = {}) {
  const cwd = await mkdtemp(join(tmpdir(), 'imagegen-cli-'));
  onTestFinished(() => rm(cwd, { recursive: true, force: true }));
  const baseEnv: Record<string, string> = {
    IMAGE_PROVIDER: 'demo',
    GEMINI_API_KEY: '',
    OPENAI_API_KEY: '',
    IMAGEGEN_SERVER: '',
    IMAGEGEN_TOKEN: '',
    PACING_MIN_INTERVAL_MS: '0',
    DATA_DIR: join(cwd, 'data'),
    ...env,
  };
  return {
    cwd,
    dataDirectory: baseEnv.DATA_DIR!,
    start: (args: string[], moreEnv: Record<string, string> = {}) => startImagegen(args, { cwd, env: { ...baseEnv, ...moreEnv } }),
    run: (args: string[], moreEnv: Record<string, string> = {}) => runImagegen(args, { cwd, env: { ...baseEnv, ...moreEnv } }),
  };
}

export function startImagegen(args: string[], { cwd, env }: { cwd: string; env: Record<string, string> }): ImagegenProcess {
  const child = spawn(process.execPath, [launcherPath, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const stderrListeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of stderrListeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stderr.match(pattern);
          if (!match) return;
          cleanup();
          resolve(match);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`stderr never matched ${pattern} within ${timeoutMs} ms:\n${stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          stderrListeners.delete(check);
        };
        stderrListeners.add(check);
        check();
        void exited.then(() => check());
      });
    },
  };
}

export async function runImagegen(args: string[], options: { cwd: string; env: Record<string, string> }): Promise<ImagegenResult> {
  const running = startImagegen(args, options);
  const code = await running.exited;
  return { code, stdout: running.stdout(), stderr: running.stderr() };
}
