import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useImagegenWorkspace } from './testing/run-imagegen';

/**
 * bin/imagegen.mjs on a machine whose global Node is older than 24 (as `npx imagegen` runs it):
 * it re-runs itself on the project's Node 24 and passes the exit code and Ctrl-C through. Runs
 * where such a Node is installed (the Debian package's, say); skipped elsewhere.
 */

const launcherPath = fileURLToPath(new URL('../bin/imagegen.mjs', import.meta.url));
const olderNode = ['/usr/bin/node', '/usr/local/bin/node'].find(
  (path) => existsSync(path) && Number(execFileSync(path, ['-p', 'process.versions.node']).toString().split('.')[0]) < 24,
);

describe.skipIf(olderNode === undefined)('the launcher on an older Node', () => {
  it('runs the command on Node 24 and exits with its code', async () => {
    const workspace = await useImagegenWorkspace();
    const run = (args: string[]) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(olderNode!, [launcherPath, ...args], { cwd: workspace.cwd, env: { ...process.env, IMAGE_PROVIDER: 'demo', DATA_DIR: workspace.dataDirectory } });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('close', (code) => resolve({ code, output }));
      });
    expect(await run(['--version'])).toEqual({ code: 0, output: '0.1.0\n' });
    const usage = await run(['a fox', '--size', '9K']);
    expect(usage.code, usage.output).toBe(64);
  });

  it('passes a SIGINT sent to it alone to the command: the batch is canceled, the resume command printed', async () => {
    const workspace = await useImagegenWorkspace({ DEMO_LATENCY_MS: '200' });
    const child = spawn(olderNode!, [launcherPath, 'a fox', '-n', '6', '--out', 'images'], {
      cwd: workspace.cwd,
      env: { ...process.env, IMAGE_PROVIDER: 'demo', PACING_MIN_INTERVAL_MS: '0', DEMO_LATENCY_MS: '200', DATA_DIR: workspace.dataDirectory },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('saved images/001-')) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await closed, stderr).toBe(130);
    expect(stderr).toMatch(/Canceled\. Continue with: imagegen resume [\w-]+ --out images/);
  });
});

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const hasNpm = (() => {
  try {
    execFileSync('npm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasNpm)('from the checkout', () => {
  it('npx imagegen and npm run imagegen run the command (package.json "bin" and "scripts")', () => {
    // `--` keeps --version from npm, which reads it as its own flag.
    const options = { cwd: projectRoot, env: { ...process.env, npm_config_loglevel: 'silent' } };
    expect(execFileSync('npx', ['--no', 'imagegen', '--', '--version'], options).toString()).toBe('0.1.0\n');
    expect(execFileSync('npm', ['run', '-s', 'imagegen', '--', '--version'], options).toString()).toBe('0.1.0\n');
  });
});
