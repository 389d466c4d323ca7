/**
 * The browser tests drive Debian's Chromium at /usr/bin/chromium (playwright.config.ts; test tools
 * never download a browser). This makes sure it is there: when it is missing and we are root with
 * apt-get, installs it (`apt-get update`, then `apt-get install chromium`); otherwise says exactly
 * what to run. `node scripts/ensure-chromium.ts` runs it alone; scripts/run-tests.ts runs it first.
 * Only node: built-ins here, so plain Node runs it (no loader for extensionless imports).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const chromiumPath = '/usr/bin/chromium';

export const installCommands = ['apt-get update -qq', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'];

/** What ensureChromium needs from the machine (injectable, so its decisions can be tested). */
export interface ChromiumSystem {
  /** Whether an executable file is at `path`. */
  isExecutable(path: string): boolean;
  isRoot(): boolean;
  hasAptGet(): boolean;
  /** Runs a command, its output captured; resolves its exit status and the tail of its output. */
  run(command: string, args: string[], env: Record<string, string>): { status: number | null; output: string };
  log(line: string): void;
}

export type ChromiumOutcome = { kind: 'present' } | { kind: 'installed' } | { kind: 'missing'; message: string };

const manualSteps = (prefix: string) => installCommands.map((command) => `  ${prefix}${command}`).join('\n');

export function ensureChromium(system: ChromiumSystem): ChromiumOutcome {
  if (system.isExecutable(chromiumPath)) return { kind: 'present' };
  const missing = `The browser tests need Debian's Chromium at ${chromiumPath}, and it is not there.`;
  if (!system.hasAptGet()) {
    return {
      kind: 'missing',
      message: `${missing} This machine has no apt-get: install Chromium so that ${chromiumPath} runs it (on Debian or Ubuntu: apt-get install -y chromium), then run the tests again.`,
    };
  }
  if (!system.isRoot()) {
    return { kind: 'missing', message: `${missing} Installing it takes root; run:\n${manualSteps('sudo ')}\nthen run the tests again.` };
  }
  system.log(`Installing Debian's Chromium for the browser tests (${chromiumPath} is missing): ${installCommands.join(' && ')}`);
  const steps: Array<[string, string[]]> = [
    ['apt-get', ['update', '-qq']],
    ['apt-get', ['install', '-y', '-qq', 'chromium']],
  ];
  for (const [command, args] of steps) {
    const { status, output } = system.run(command, args, { DEBIAN_FRONTEND: 'noninteractive' });
    if (status !== 0) {
      return {
        kind: 'missing',
        message: `${missing} \`${command} ${args.join(' ')}\` failed (exit ${status}):\n${output}\nFix that, or run:\n${manualSteps('')}\nthen run the tests again.`,
      };
    }
  }
  if (!system.isExecutable(chromiumPath)) {
    return { kind: 'missing', message: `${missing} apt-get installed the chromium package, yet ${chromiumPath} is still missing: check \`dpkg -L chromium\`.` };
  }
  return { kind: 'installed' };
}

export const realSystem: ChromiumSystem = {
  isExecutable(path) {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  isRoot: () => process.getuid?.() === 0,
  hasAptGet: () => spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0,
  run(command, args, env) {
    const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
    return { status: result.status, output: output.trim().split('\n').slice(-20).join('\n') };
  },
  log: (line) => console.log(line),
};

/** Run as a script: exits 1 (the message on stderr) when Chromium is missing and cannot be installed. */
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outcome = ensureChromium(realSystem);
  if (outcome.kind === 'missing') {
    console.error(outcome.message);
    process.exit(1);
  }
}
