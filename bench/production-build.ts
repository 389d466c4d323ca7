import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The production build (`next build`) that `next start` serves, for the sections that measure the
 * real server. A build older than the code would measure yesterday's server, so a build is stale
 * when any source it is made from changed after it (file times: a checkout or an edit counts).
 */

/** What `next build` reads: the app, its code, its configuration (tests left out: not built). */
const buildInputs = ['app', 'components', 'hooks', 'lib', 'proxy.ts', 'instrumentation.ts', 'next.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];
const buildMarker = '.next/BUILD_ID';

/** Why the build in `root` cannot be used as it is (missing, or older than a named source), or undefined. */
export function productionBuildProblem(root = '.'): string | undefined {
  let builtAtMs: number;
  try {
    builtAtMs = statSync(join(root, buildMarker)).mtimeMs;
  } catch {
    return 'there is no production build (.next/BUILD_ID)';
  }
  const newer = newestSource(root, builtAtMs);
  return newer ? `the production build is older than ${newer}` : undefined;
}

/** The first build input changed after `sinceMs`, or undefined. */
function newestSource(root: string, sinceMs: number): string | undefined {
  const pending = [...buildInputs];
  while (pending.length > 0) {
    const path = pending.pop()!;
    let stats;
    try {
      stats = statSync(join(root, path));
    } catch {
      continue;
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(join(root, path))) pending.push(join(path, entry));
    } else if (!/\.test\.tsx?$/.test(path) && stats.mtimeMs > sinceMs) {
      return path;
    }
  }
  return undefined;
}

/** Builds (`next build`, its output to stderr) when the build is missing or stale; says why it did. */
export async function ensureProductionBuild(log: (text: string) => void, root = '.'): Promise<void> {
  const problem = productionBuildProblem(root);
  if (!problem) return;
  log(`${problem}: running next build (a few minutes)`);
  const child = spawn(resolve(root, 'node_modules/.bin/next'), ['build'], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', process.stderr, process.stderr],
  });
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('exit', done);
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code}): fix it, or run \`npm run build\` to see why`);
}
